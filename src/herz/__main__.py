"""``python -m herz``: the same as the ``herz`` command."""

from herz.cli import main

main()
