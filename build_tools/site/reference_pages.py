"""The pages of the reference data: complaint and complainer types, channels, metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from build_tools.model.reference import CHANNELS, COMPLAINT_TYPES, METRICS, Channel
from build_tools.site import layout

if TYPE_CHECKING:
    from build_tools.site.pages import Plan, SitePages

__all__ = ["CHANNELS", "channels", "plans", "uris"]


def uris(site: SitePages) -> list[str]:
    """The reference pages the site has (channels always: SOPs name channels)."""
    return [uri for name, uri in ((COMPLAINT_TYPES, layout.COMPLAINT_TYPES_URI),
                                  (CHANNELS, layout.CHANNELS_URI), (METRICS, layout.METRICS_URI))
            if name == CHANNELS or site.reference.has(name)]


def plans(site: SitePages) -> list[Plan]:
    found = []
    if site.reference.has(COMPLAINT_TYPES):
        found.append(site.plan_page(layout.COMPLAINT_TYPES_URI, "complaint_types",
                                    reference=site.reference, by_id=site.listed_by_id))
    every = channels(site)
    found.append(site.plan_page(layout.CHANNELS_URI, "channels", channels=every,
                                sops_by_channel={channel.id: [
                                    sop for sop in site.listed if channel.id in sop.channels]
                                    for channel in every}))
    if site.reference.has(METRICS):
        metrics = list(site.reference.metrics.values())
        trackers = {m.id: [s.id for s in site.listed if m.id in s.feedback.metrics]
                    for m in metrics}
        found.append(site.plan_page(layout.METRICS_URI, "metrics", metrics=metrics,
                                    trackers=trackers, by_id=site.by_id))
    return found


def channels(site: SitePages) -> list[Channel]:
    """Described channels in the reference file's order, then any used but undescribed."""
    found = list(site.reference.channels.values())
    described = set(site.reference.channels)
    for sop in site.sops:
        for name in sop.channels:
            if name not in described:
                described.add(name)
                found.append(Channel(name, site.renderer.channel(name), ""))
    return found
