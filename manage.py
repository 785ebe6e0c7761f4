#!/usr/bin/env python
"""Django's command-line utility; `billfold` (the console script) is the same."""

from billfold.cli import main

if __name__ == "__main__":
    main()
