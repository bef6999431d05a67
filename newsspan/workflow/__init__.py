"""The annotator's workflow around the validator: add a page, resolve spans written by text,
compare revisions, measure agreement. One module per concern; the commands are thin wrappers."""
