"""Import a public extraction benchmark (AEB, WCXB) as a NewsSpan corpus.

One module per stage: `sources` reads the benchmark as published upstream into `Page` records,
`views` renders a page's HTML as a scraper would have saved it (plain text or markdown),
`gold` aligns the benchmark's ground truth onto that view and turns the rest into boilerplate
spans, `write` writes the corpus folder.
"""
