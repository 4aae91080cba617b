"""Where the knowledge base's files live, for the links from a page back to them: "Ubah SOP
ini" (edit the YAML file behind a generated page) and "Laporkan masalah" (open an issue
about one step, its details filled in).

Both are off unless configured: :class:`Repository` is built from the site's ``repo_url``
and ``edit_uri`` (as Material users set them; ``edit_uri`` points into the docs folder, so
its last part is replaced by the file's own path from the project root) and from an issue
URL template with ``{title}`` and ``{body}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from build_tools.model.sop import Sop, Step


@dataclass(frozen=True)
class Repository:
    #: The URL a file's path from the project root is appended to, to edit it (or None).
    edit_base: str | None = None
    #: A new-issue URL with ``{title}`` and ``{body}`` where the encoded text goes (or None).
    issue_template: str | None = None
    #: The site's own address, for the step's URL in an issue (or "" for a path only).
    site_url: str = ""
    labels: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_settings(cls, repo_url: str | None, edit_uri: str | None, docs_dir: str,
                      issue_template: str | None, site_url: str | None,
                      labels: dict[str, str]) -> Repository:
        edit_base = None
        if repo_url and edit_uri:
            edit_uri = edit_uri.strip("/") + "/"
            docs = docs_dir.strip("/").rsplit("/", 1)[-1] + "/"
            root = edit_uri[:-len(docs)] if edit_uri.endswith(docs) else edit_uri
            edit_base = repo_url.rstrip("/") + "/" + root
        return cls(edit_base, issue_template or None, (site_url or "").rstrip("/"),
                   tuple(labels.items()))

    def edit_url(self, source: str) -> str | None:
        """Where to edit the file at ``source`` (its path from the project root)."""
        if self.edit_base is None:
            return None
        return self.edit_base + quote(source.replace("\\", "/").lstrip("./"))

    def report_url(self, sop: Sop, step: Step) -> str | None:
        """A new issue about ``step`` of ``sop``, with what a writer needs already written."""
        if self.issue_template is None:
            return None
        t = dict(self.labels)
        address = f"{self.site_url}/sop/{sop.slug}/#{step.id}" if self.site_url \
            else f"sop/{sop.slug}/#{step.id}"
        title = t["report_title"].format(id=sop.id, step=step.id, number=step.number)
        body = t["report_body"].format(id=sop.id, title=sop.title, version=sop.version,
                                       step=step.id, number=step.number, action=step.action,
                                       url=address)
        return self.issue_template.replace("{title}", quote(title, safe="")) \
            .replace("{body}", quote(body, safe=""))
