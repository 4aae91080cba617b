"""The hidden list of search words a page may carry (an SOP's ``keywords``, and the roots
and synonyms search adds to every section): how it is marked, so that the search box can
cut it out of the excerpts it shows (it is indexed, but it is not text a person wrote)."""

TERMS_CLASS = "sop-kb-terms"
#: The words that open and close a hidden term list.
TERMS_START, TERMS_END = "sopkbtermsstart", "sopkbtermsend"
#: The class of a step's heading; its id is the step's id in the YAML, a name the writer gave
#: the step (``tindak-lanjut``), whose words search indexes with the heading.
STEP_CLASS = "sop-step"
