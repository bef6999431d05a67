#!/usr/bin/env python3
"""NewsSpan's entry point: `python build_dataset.py --help`. The logic lives in newsspan/."""
import sys

from newsspan.cli import main

if __name__ == "__main__":
    sys.exit(main())
