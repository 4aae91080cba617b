"""What the speed layer keeps and where it renders (build_tools/speed/): a single build keeps
nothing for a next one, the second core's pages are those rendered here, git's log read
ahead gives the same history, and the flowchart's own line breaking matches textwrap's."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import KB, ROOT, SOPS
from hypothesis import given
from hypothesis import strategies as st

from build_tools.render.flowchart import _wrap
from build_tools.rules.catalog import load_catalog


def test_a_single_build_keeps_nothing_for_a_next_one() -> None:
    """Outside ``mkdocs serve`` no next build reuses the pages' cache keys or listing parts;
    a build of 10,000 SOPs held them to its end. With a cache (serve) they are kept; the
    pages are the plain pipeline's either way, redirects included."""
    from build_tools.site.pages import SitePages
    from build_tools.speed import rendering
    from build_tools.speed.reuse import PageCache

    catalog = load_catalog([SOPS], reference_dir=KB / "reference")
    plain = SitePages(catalog, "id")
    build, serve = PageCache(keep=False), PageCache()
    single, kept = SitePages(catalog, "id", cache=build), SitePages(catalog, "id", cache=serve)
    assert list(rendering.pages(single, build)) == list(plain.pages()) == \
        list(rendering.pages(kept, serve))
    assert list(rendering.redirects(kept, serve)) == list(plain.redirects())
    assert not build.pages and not single.renderer._parts
    assert serve.pages and kept.renderer._parts


def test_a_generated_page_in_memory_is_let_go_once_read() -> None:
    """MkDocs keeps its own copy of a page's text (then its HTML): the generated file lets
    its own go once read, and a second read fails rather than give an empty page."""
    from mkdocs.config import load_config

    from build_tools.mkdocs.serving import GeneratedFiles

    config = load_config(str(KB / "mkdocs.yml"))
    config.plugins._current_plugin = "sop-kb"  # as while MkDocs runs the plugin's on_files
    page = GeneratedFiles().file(config, "sop/x.md", "# Judul\n")
    asset = GeneratedFiles().file(config, "assets/x.css", "a {}")
    assert page.content_string == "# Judul\n"
    with pytest.raises(AssertionError):
        page.content_string  # noqa: B018 - the read is the test
    assert asset.content_string == asset.content_string == "a {}"


WORDS = st.lists(st.text("aiknrsu.,éĀ", min_size=1, max_size=12), min_size=1, max_size=30)


@given(WORDS, st.lists(st.text("aiknrsu-", max_size=45), max_size=2), st.integers(1, 40))
def test_flowchart_lines_break_where_textwrap_breaks_them(
        words: list[str], rare: list[str], width: int) -> None:
    """The flowchart's own line breaking (faster) gives textwrap's lines, for words with
    hyphens and words longer than a line too."""
    text = " ".join(" ".join(words + rare).split())  # as _lines gives it
    assert _wrap(text, width) == textwrap.wrap(text, width)


def _in_a_fresh_process(code: str) -> None:
    """Run ``code`` where no other thread runs (this test process may have some, which
    rules out forking, see :mod:`build_tools.speed.second_core`); it fails by raising."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_sop_pages_rendered_on_the_other_core_are_those_rendered_here() -> None:
    """A build renders the SOP pages in a forked process while it renders the listing
    pages: the same pages in the same order; when the child fails, the build renders them
    itself."""
    _in_a_fresh_process("""
        from pathlib import Path
        from build_tools.speed import second_core as elsewhere
        from build_tools.speed import rendering
        from build_tools.speed.reuse import PageCache
        from build_tools.site.pages import SitePages
        from build_tools.rules.catalog import load_catalog

        catalog = load_catalog([Path("sops")], reference_dir=Path("reference"))
        here = list(SitePages(catalog, "id").pages())  # the plain pipeline
        assert len(here) > len(catalog.sops) > 10

        def fast():
            cache = PageCache(keep=False)
            return list(rendering.pages(SitePages(catalog, "id", cache=cache), cache))

        rendering.PARALLEL_SOPS = 10
        answers = []
        results = elsewhere.Elsewhere.results
        elsewhere.Elsewhere.results = lambda self: answers.append(results(self)) or answers[-1]
        assert fast() == here
        [forked, again] = answers  # the second call, at the end, finds the child collected
        assert forked is not None and len(forked) == len(catalog.sops) and again is None

        start = elsewhere.start
        rendering.second_core.start = lambda work: start(lambda: [1 / 0])
        answers.clear()
        assert fast() == here
        assert answers[0] is None
    """)


def test_versions_and_history_read_on_the_other_core_are_those_made_here(
        tmp_path: Path) -> None:
    """With git's history: half the committed texts parsed in a forked process give the
    texts parsed here; the pages of some SOPs, each with its versions' pages, rendered in a
    forked process are the pages rendered here, in the same order; version pages set aside
    and written by a forked process (lower in priority) are those rendered here, written
    here when the child fails, and not at all once the build is abandoned."""
    import history_repo

    history_repo.build(tmp_path / "kb")
    _in_a_fresh_process(f"""
        import datetime
        from pathlib import Path
        from build_tools.model.timelines import timelines
        from build_tools.rules.catalog import load_catalog
        from build_tools.site.pages import SitePages
        from build_tools.site.shell import Shell
        from build_tools.site.versions import Control
        from build_tools.source.history import read_history
        from build_tools.speed import reading, rendering
        from build_tools.speed import second_core as elsewhere
        from build_tools.speed.reuse import PageCache

        kb = Path({str(tmp_path / "kb")!r})
        plain = read_history(kb / "sops")
        reading.PARALLEL_TEXTS = 2
        forked = []
        start = elsewhere.start
        reading.second_core.start = lambda work: forked.append(1) or start(work)
        fast = read_history(kb / "sops", load=reading.load_texts)
        assert forked and len(fast.changes) == len(plain.changes) > 4
        for one, other in zip(plain.changes, fast.changes, strict=True):
            assert (one.path, one.blob, one.main) == (other.path, other.blob, other.main)
            if one.text is not None:
                assert (one.text.name, one.text.data, one.text.problems, one.text.raw) == (
                    other.text.name, other.text.data, other.text.problems, other.text.raw)

        catalog = load_catalog([kb / "sops"], base=kb)
        def site(cache=None):
            return SitePages(catalog, "id", today=datetime.date(2026, 6, 1), cache=cache,
                             control=Control(timelines(fast)), shell=Shell("KB", "id"))
        here = list(site().pages())
        assert any("/v/" in uri for uri, _ in here)
        rendering.PARALLEL_SOPS = 1
        answers = []
        results = elsewhere.Elsewhere.results
        elsewhere.Elsewhere.results = lambda self: answers.append(results(self)) or answers[-1]
        cache = PageCache(keep=False)
        assert list(rendering.pages(site(cache), cache)) == here
        assert answers[0] and any(markdown.startswith("<!doctype html>")
                                  for _, markdown in answers[0])  # a version page

        # A build sets its version pages aside; the second core writes them as rendered here.
        from build_tools.render.listing import page_path
        versions = {{page_path(uri, True): text for uri, text in here if "/v/" in uri}}
        cache, aside = PageCache(keep=False), []
        made = site(cache)
        assert list(rendering.pages(made, cache, aside)) == [
            (uri, text) for uri, text in here if "/v/" not in uri]
        def written(folder):
            return {{path.relative_to(folder).as_posix(): path.read_text("utf-8")
                     for path in folder.rglob("*.html")}}
        folder, children = kb / "site", []
        rendering.second_core.start = lambda work, nice: children.append(nice) or start(work)
        writing = rendering.Writing(made, aside, folder, True)
        writing.wait()
        assert children == [rendering.WRITING_NICE]
        assert written(folder) == versions
        # A child that fails: what it did not write is written here, as before.
        broken = kb / "broken"
        rendering.second_core.start = lambda work, nice: start(lambda: [1 / 0])
        writing = rendering.Writing(made, aside, broken, True)
        assert not broken.exists()
        writing.wait()
        assert written(broken) == versions
        # A failed build stops the child; nothing is waited for or written after.
        import time
        rendering.second_core.start = lambda work, nice: start(lambda: time.sleep(60) or [])
        writing = rendering.Writing(made, aside, kb / "stopped", True)
        writing.cancel()
        writing.wait()
        assert not (kb / "stopped").exists()
    """)


def test_a_build_holds_what_it_loaded_out_of_the_collectors_reach_until_the_next() -> None:
    """Held while MkDocs renders and past the build's end (the process's last collection
    spares it); released, its garbage freed, by the next build's hold or by a failure."""
    _in_a_fresh_process("""
        import gc
        import weakref
        from build_tools.speed import collector

        class Node:
            pass

        node = Node()
        node.me, gone = node, weakref.ref(node)  # garbage in a cycle, once let go
        collector.hold()  # a build
        del node
        gc.collect()
        assert gone() is not None  # held, past the build's end
        collector.hold()  # the next build in this process
        assert gone() is None and gc.get_freeze_count() > 0
        collector.release()  # a build that fails
        assert gc.get_freeze_count() == 0

        collector.hold(building=False)  # mkdocs serve: its first build is set aside instead
        assert gc.get_freeze_count() == 0
        collector.release()
        kept = [[n] for n in range(1000)]
        collector.hold()
        assert gc.get_freeze_count() >= len(kept)
        collector.release()
        assert gc.get_freeze_count() == 0
        collector.set_aside()
        frozen = gc.get_freeze_count()
        collector.release()  # held nothing: what set_aside moved stays
        assert frozen > 0 and gc.get_freeze_count() == frozen
    """)


def test_work_elsewhere_returns_its_results_or_none() -> None:
    _in_a_fresh_process("""
        import threading
        from build_tools.speed import second_core as elsewhere

        child = elsewhere.start(lambda: (n * n for n in range(5)))
        assert child is not None and child.results() == [0, 1, 4, 9, 16]
        assert child.results() is None  # collected once
        for fails in (lambda: [1 / 0], lambda: [lambda: "cannot be pickled"]):
            child = elsewhere.start(fails)
            assert child is not None and child.results() is None
        threading.Thread(target=threading.Event().wait, args=(5,), daemon=True).start()
        assert elsewhere.start(lambda: [1]) is None  # never forks beside another thread
    """)


def test_a_log_started_ahead_gives_the_history_read_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``git log`` started before the catalog loads gives the history the plain reading
    gives; asked at another commit or folder, or where it failed, the log is read then."""
    import history_repo

    from build_tools.source import history
    from build_tools.speed.reading import LogAhead

    repo = history_repo.build(tmp_path / "kb")
    sops = repo.path / "sops"

    def seen(read: history.History) -> list[tuple[object, ...]]:
        return [(change.path, change.blob, change.main, change.commit,
                 change.text and (change.text.name, change.text.data, change.text.problems))
                for change in read.changes]

    plain = history.read_history(sops)
    earlier = next(iter(repo.commits.values()))
    at_earlier = history.read_history(sops, earlier)
    assert len(plain.changes) > len(at_earlier.changes) > 0
    read_then: list[str] = []
    git_log = history.git_log
    monkeypatch.setattr(history, "git_log",
                        lambda folder, head: read_then.append(head) or git_log(folder, head))
    assert seen(history.read_history(sops, log=LogAhead(sops))) == seen(plain)
    assert read_then == []
    assert seen(history.read_history(sops, earlier, log=LogAhead(sops))) == seen(at_earlier)
    assert read_then == [earlier]
    elsewhere = LogAhead(tmp_path)  # not in a repository: nothing started
    assert seen(history.read_history(sops, log=elsewhere)) == seen(plain)
    assert read_then == [earlier, plain.head]


def test_work_elsewhere_ends_with_the_process_that_started_it() -> None:
    """A child still working when the build's process is killed is killed with it (it may
    be writing into the staging folder the next build removes)."""
    import subprocess
    import sys
    import time

    result = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import os, signal, time
        from build_tools.speed import second_core
        child = second_core.start(lambda: time.sleep(60) or [])
        print(child._pid, flush=True)
        time.sleep(0.5)  # the child has started
        os.kill(os.getpid(), signal.SIGKILL)
    """)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    pid = int(result.stdout)
    stat = Path(f"/proc/{pid}/stat")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:  # gone, or a zombie its new parent has not reaped yet
            if stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
                break
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"the child {pid} outlived the process that started it")
