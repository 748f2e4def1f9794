"""The bundle's ``dudao`` (``dudao.exe``): the command line, frozen by ``dudao.spec``.

``freeze_support`` comes first, before anything is imported: a reading worker of ``collect`` is
this same program started again with multiprocessing's arguments, and must become a worker, not
a second CLI.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from aggregator.cli import main

    sys.exit(main())
