"""The pages that go over every SOP in force: the SOP index and one page per category, the
templates, roles, review dates and recent changes pages, and the handbooks to print."""

from __future__ import annotations

from typing import TYPE_CHECKING

from build_tools.model.sop import Revision, Sop
from build_tools.render.renderer import INDEX_URI
from build_tools.site import layout
from build_tools.site.roles import roles

if TYPE_CHECKING:
    from build_tools.site.pages import Plan, SitePages

#: The overviews in the navigation, after the reference pages.
LISTS = (layout.ROLES_URI, layout.TEMPLATES_URI, layout.CHANGES_URI, layout.REVIEW_URI)
#: How many revisions the recent-changes page lists.
RECENT_CHANGES = 50


def index_and_categories(site: SitePages) -> list[Plan]:
    return [site.plan_page(INDEX_URI, "sop_index", groups=site.groups),
            *(site.plan_page(layout.category_uri(name), "category", name=name, sops=sops,
                             handbook_uri=layout.handbook_uri(name))
              for name, sops in site.groups)]


def lists(site: SitePages) -> list[Plan]:
    return [site.plan_page(layout.TEMPLATES_URI, "templates", groups=site.groups),
            site.plan_page(layout.ROLES_URI, "roles", roles=roles(site.listed)),
            site.plan_page(layout.REVIEW_URI, "review", today=site.today, statuses=[
                status for status in site.reviews.values()
                if status.sop.id in site.listed_by_id]),
            site.plan_page(layout.CHANGES_URI, "changes", changes=recent_changes(site.listed))]


def handbooks(site: SitePages) -> list[Plan]:
    """One handbook per category, not one of every SOP: a page of thousands of SOPs is not
    printed, weighs tens of megabytes, and every edit would render it again."""
    return [site.plan_page(layout.HANDBOOK_URI, "handbook_index", groups=[
        (name, layout.handbook_uri(name), len(sops)) for name, sops in site.groups]),
        *(site.plan_page(layout.handbook_uri(name), "handbook", title=name, goal=None,
                         sops=sops, periods=site.shown_rows(sops))
          for name, sops in site.groups)]


def recent_changes(sops: list[Sop]) -> list[tuple[Sop, Revision]]:
    """The latest revisions across ``sops``, newest first."""
    changes = [(sop, entry) for sop in sops for entry in sop.history]
    changes.sort(key=lambda change: (change[1].date, change[0].id), reverse=True)
    return changes[:RECENT_CHANGES]
