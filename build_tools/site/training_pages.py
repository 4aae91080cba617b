"""Training: the training index, each path's page and handbook, and the practice pages (one
per training path and one per SOP in force, each with a version to print)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from build_tools.model.practice import PracticeSet
from build_tools.site import layout

if TYPE_CHECKING:
    from build_tools.site.pages import Plan, SitePages


def plans(site: SitePages) -> list[Plan]:
    found = []
    if site.training:
        found.append(site.plan_page(layout.TRAINING_INDEX_URI, "training_index",
                                    paths=site.training))
    for path in site.training:
        sets = site.path_practice(path)
        found.append(site.plan_page(layout.training_uri(path.id), "training", path=path,
                                    by_id=site.by_id, practice_counts=[
                                        (practice.sop, len(practice.questions))
                                        for practice in sets]))
        found.extend(practice_plans(site, path.id, path.title, sets))
        found.append(site.plan_page(layout.training_handbook_uri(path.id), "handbook",
                                    title=path.title, goal=path.goal,
                                    sops=[practice.sop for practice in sets],
                                    periods=site.shown_rows([practice.sop for practice in sets])))
    for practice in site.practice().values():
        found.extend(practice_plans(site, practice.sop.slug, practice.sop.title, [practice]))
    return found


def practice_plans(site: SitePages, name: str, title: str,
                   sets: list[PracticeSet]) -> list[Plan]:
    print_uri = layout.practice_print_uri(name)
    return [site.plan_page(layout.practice_uri(name), "practice", title=title, sets=sets,
                           print_uri=print_uri),
            site.plan_page(print_uri, "practice_print", title=title, sets=sets)]
