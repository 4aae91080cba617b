"""Every problem a user can see, by its rule id: the one list of them (``sopkb rules``).

Each check names the rule it reports (``FILE:LINE:COL: [level] message (rule-id)``); a
rule not declared here cannot be reported (:class:`build_tools.problem.Problem` refuses
it), so this list is complete by construction. Rule ids are stable: a writer's CI may
match on them.
"""

from __future__ import annotations

#: rule id → what it checks, in one line. Grouped by the stage that reports it.
RULES: dict[str, str] = {
    # Reading the file (build_tools.source)
    "not-found": "a path given on the command line does not exist",
    "no-sops": "a folder given to validate holds no SOP files",
    "unreadable": "the file cannot be read",
    "file-too-large": "the file is larger than 1 MB",
    "encoding": "the file is not UTF-8, or starts with a byte-order mark",
    "empty-file": "the file holds no YAML document",
    "yaml-syntax": "the file is not well-formed YAML",
    "multiple-documents": "the file holds more than one YAML document",
    "alias": "anchors and aliases are refused (no expansion bombs)",
    "unsafe-tag": "a YAML tag other than !!str, !!map or !!seq",
    "too-deep": "nesting deeper than 40 levels",
    "bad-key": "a mapping key that is not plain text",
    "duplicate-key": "the same key twice in one mapping",
    # The schema (build_tools/schema/*.schema.json)
    "not-a-mapping": "the file is not a mapping of keys",
    "missing-component": "one of the six required components is absent",
    "empty-component": "a required component is present but empty",
    "missing-key": "a required key is absent",
    "unknown-key": "a key the format does not know (a typo, usually)",
    "wrong-type": "a value of the wrong kind (text, list, mapping)",
    "empty": "an empty text or list where content is required",
    "too-long": "a text or list longer than the format allows",
    "bad-format": "a value that does not match its pattern (id, step id, duration, date…)",
    "unknown-value": "a value outside its list (status, channel, metric)",
    "duplicate-item": "a list that names the same value twice",
    "schema": "any other departure from the schema",
    # One SOP (build_tools.rules.sop)
    "placeholder": "TODO, TBD, '...' or '[isi di sini]' instead of content",
    "too-short": "a free-text field of fewer than three words",
    "duplicate-step-id": "two steps (or former step ids) with the same id",
    "reserved-step-id": "a step id that is a section anchor of the page",
    "unknown-role": "a step's role is not declared in duties",
    "duplicate-role": "a role declared twice in duties",
    "no-target-time": "no step has a target time",
    "bad-date": "a date that does not exist or lies in the future",
    "file-name": "the file is not named after the SOP's id",
    "unsafe-path": "a file's path holds characters other than letters, digits, '.', '_', '-', '/'",
    "outside-repository": "a symbolic link that leads outside the repository (not read)",
    "history-version": "the newest history entry is not the current version",
    "history-order": "history is not newest first, or versions do not increase",
    "effective-before-date": "a history entry takes effect before the date it was written",
    "effective-order": "a newer version takes effect before an older one",
    "practice-answer": "a hand-written practice question whose answer is not one of its options",
    "practice-step": "a hand-written practice question naming a step the SOP does not have",
    # Across files (build_tools.rules.catalog)
    "duplicate-id": "an id or former id used by two SOPs (or two training paths)",
    "unknown-related": "related names no SOP, or the SOP itself",
    "sop-link": "a [[ID]] or [[ID#step]] link names no SOP or step",
    # Reference, training and search files
    "unknown-sop": "a reference or training file names no SOP",
    "unknown-step": "a training item names a step the SOP does not have",
    "undescribed-channel": "an SOP uses a channel that channels.yaml does not describe",
    "undescribed-metric": "an SOP uses a metric that metrics.yaml does not describe",
    "duplicate-synonym": "a word or phrase in two synonym groups",
    "unmapped-owner": "an SOP owner that owners.yaml does not map to approvers",
    # The site's addresses (build_tools.site.urls)
    "url-collision": "two pages (generated or hand-written) would be at one address",
    # Hand-written pages (docs/)
    "unknown-marker": "a <!-- sop-kb: … --> marker the plugin does not know",
    "unsafe-html": "a script, event handler, javascript: URL, frame or inline style in a page",
    # Warnings
    "overdue-review": "the SOP is past its next review date (a warning)",
    "no-approval": "a version merged into main has no approval record (a warning)",
    "approver-not-owner": "no approver of a version is an account of its owners (a warning)",
}
