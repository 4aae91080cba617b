"""Stage 7, the command line: ``sopkb`` (:mod:`.main`) and what only it needs.

Enters: command-line arguments. Leaves: problems printed by a reporter chosen by name
(:mod:`.reporters`), new SOP files from a skeleton (:mod:`.scaffold`, ``templates/``), a
writer's summary of what changed since a git ref (:mod:`.diff`), the published URLs that
no longer resolve (:mod:`.stability`), the version of each SOP in force on a day
(:mod:`.versions`), approval records written from a merged pull request (:mod:`.approval`),
exit statuses 0, 1 or 2.
"""

from build_tools.cli.main import main

__all__ = ["main"]
