"""Label Studio round trip: tasks with the corpus spans as predictions out, annotations back in.

`names` holds the labeling config's names (the one source for labelstudio/config.xml, export and
import); `export` writes tasks; `offsets` maps Label Studio offsets to code points; `regions`
reads one annotation's results; `assemble` turns regions and relations into the three layers;
`importer` reads an export file and writes annotation files.
"""
