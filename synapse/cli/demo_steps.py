"""The demo pipeline: one realistic pass through the object model, step by step.

Each step is a method that does its work through the public resource classes and itemises
what it did (and the bytes it uploaded) to the :class:`~synapse.cli.summary.Summary`, which measures requests and time.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synapse import (
    Agent,
    DataCollection,
    DataFile,
    DataUnit,
    GroundTruthDataset,
    GroundTruthEvent,
    GroundTruthVersion,
    Job,
    Model,
    Plugin,
    PluginRelease,
    Project,
    Session,
    Storage,
    Task,
    TaskTag,
)
from synapse.transfers.progress import Progress, make_progress

from .sample_data import LABELS, model_archive, plugin_archive, write_image_pairs, write_scan
from .summary import Summary, human_bytes

MIB = 1024 * 1024
GROUND_TRUTH_EVENTS = 20
PLUGIN_CODE = "demo-classifier"


@dataclass(frozen=True)
class DemoOptions:
    """How big the run is. ``--quick`` shrinks everything but still sends the big file in chunks."""

    files: int
    big_file_mib: int
    chunk_mib: int
    workers: int
    progress: bool


@dataclass(frozen=True)
class Files:
    """The generated local files."""

    pairs: list[tuple[Path, Path]]
    scan: Path
    plugin_zip: Path
    model_zip: Path


class Pipeline:
    """Runs the steps in order against one session; ``say`` prints a line for the user."""

    def __init__(self, session: Session, workdir: Path, options: DemoOptions, say: Callable[[str], None]) -> None:
        self.session = session
        self.workdir = workdir
        self.options = options
        self.say = say
        self.summary = Summary(session)

    def run(self) -> Summary:
        files = self.generate()
        self.storage()
        collection = self.collection()
        units = self.upload_units(collection, files.pairs)
        self.big_file(files.scan)
        project = self.project_and_tasks(collection, units)
        self.annotate(project)
        self.tags(project)
        self.queries(project)
        plugin = self.plugin_release(files.plugin_zip)
        self.plugin_run(plugin)
        self.model(plugin, files.model_zip)
        self.ground_truth(collection, units)
        return self.summary

    # -- steps ------------------------------------------------------------------------------

    def generate(self) -> Files:
        """Write the sample files locally (not a backend step, so not in the table)."""
        started = time.monotonic()
        pairs = write_image_pairs(self.workdir / "samples", max(1, self.options.files // 2))
        scan = write_scan(self.workdir / "scans" / "panorama.ppm", self.options.big_file_mib * MIB)
        plugin_zip = plugin_archive(self.workdir / "plugin.zip", PLUGIN_CODE, "1.0.0")
        model_zip = model_archive(self.workdir / "model.zip", "pets-v1")
        paths = [p for pair in pairs for p in pair] + [scan, plugin_zip, model_zip]
        nbytes = sum(p.stat().st_size for p in paths)
        self.say(
            f"  generated {len(paths)} sample files ({human_bytes(nbytes)}: {len(pairs)} PNG images, "
            f"{len(pairs)} JSON labels, a {human_bytes(scan.stat().st_size)} scan, 2 zip archives) "
            f"in {time.monotonic() - started:.2f}s"
        )
        return Files(pairs, scan, plugin_zip, model_zip)

    def storage(self) -> None:
        with self.summary.step("storage") as step:
            Storage.create(
                name="demo-local",
                category="internal",
                provider="file_system",
                configuration={"location": "/srv/synapse/demo"},
            )
            step.add(1, "storage")

    def collection(self) -> DataCollection:
        with self.summary.step("data collection") as step:
            collection = DataCollection.create(
                name="pets",
                file_specifications=[
                    {
                        "name": "image",
                        "file_type": "image",
                        "is_required": True,
                        "is_primary": True,
                        "extensions": [".png"],
                    },
                    {"name": "label", "file_type": "json", "is_required": False, "extensions": [".json"]},
                ],
            )
            step.add(1, "data collection")
        return collection

    def upload_units(self, collection: DataCollection, pairs: list[tuple[Path, Path]]) -> list[DataUnit]:
        items = [
            {"files": {"image": image, "label": label}, "meta": json.loads(label.read_text())} for image, label in pairs
        ]
        with self.summary.step("upload files + data units") as step:
            units = collection.upload_many(items, workers=self.options.workers, progress=self.options.progress)
            step.add(len(pairs) * 2, "file", nbytes=sum(p.stat().st_size for pair in pairs for p in pair))
            step.add(len(units), "data unit")
        self.say(f"  {len(units)} data units in {collection!r}")
        return units

    def big_file(self, scan: Path) -> None:
        """Send the big file in chunks, stopping halfway on purpose, then upload it again.

        The stop happens on our side after the server confirmed some chunks, as a crash or a
        Ctrl-C would; the second call finds the upload in the journal and sends only the rest.
        """
        size = scan.stat().st_size
        chunk = self.options.chunk_mib * MIB
        chunks = -(-size // chunk)
        with (
            self.summary.step("big file (chunked)") as step,
            make_progress(self.options.progress, size, desc=scan.name) as bar,
        ):
            stop = _StopHalfway(bar, size) if chunks > 1 else None
            sent_before = self.session.request_count
            if stop is not None:
                with contextlib.suppress(_Stopped):
                    DataFile.upload(scan, chunked=True, chunk_size=chunk, progress=stop)
            first_try = self.session.request_count - sent_before
            data_file = DataFile.upload(scan, chunked=True, chunk_size=chunk, progress=stop or bar)
            step.add(1, "file", nbytes=size)
        if stop is not None:
            resumed = self.session.request_count - sent_before - first_try
            self.say(
                f"  interrupted on purpose after {human_bytes(stop.stopped_at)} of {human_bytes(size)} "
                f"({first_try} requests); uploading again resumed there ({resumed} requests)"
            )
        self.say(f"  {data_file!r}: {chunks} chunk(s) of {self.options.chunk_mib} MiB, md5 {data_file.checksum}")

    def project_and_tasks(self, collection: DataCollection, units: list[DataUnit]) -> Project:
        with self.summary.step("project + tasks") as step:
            project = Project.create(
                name="Pet classification",
                data_collection=collection,
                configuration={"classification": {"labels": list(LABELS)}},
            )
            tasks = Task.bulk_create(project, units)
            step.add(1, "project")
            step.add(len(tasks), "task")
        return project

    def annotate(self, project: Project) -> None:
        tasks = project.tasks.expand("data_unit")
        total = tasks.count()
        with (
            self.summary.step("annotate") as step,
            make_progress(self.options.progress, total, desc="annotate", unit="task") as bar,
        ):
            for task in tasks:
                unit = task.data_unit
                label = (unit.meta or {}).get("label") if unit is not None else None
                task.annotate({"annotations": [{"type": "classification", "label": label}]})
                step.add(1, "annotation")
                bar.update(1)

    def tags(self, project: Project) -> None:
        with self.summary.step("tags") as step:
            reviewed = TaskTag.create(name="reviewed", color="#2e7d32", project=project)
            check = TaskTag.create(name="needs-check", color="#c62828", project=project)
            tagged = Task.add_tags_to(project.tasks, [reviewed])
            sample = project.tasks[:5]
            Task.add_tags_to(sample, [check])
            step.add(2, "tag")
            step.add(tagged + len(sample), "task tagged", "tasks tagged")

    def queries(self, project: Project) -> None:
        with self.summary.step("queries + identity map") as step:
            count = Task.filter(project=project).count()
            first = project.tasks.order_by("id").first()
            with self.session.no_requests():
                same = Project.get(project.id)
                linked = first.project if first is not None else None
            step.add(1, "count")
            step.add(1, "task read", "tasks read")
            step.add(2, "cache hit")
        self.say(
            f"  {count} tasks; Project.get({project.id}) is the loaded object: {same is project}; "
            f"task.project is project: {linked is project}"
        )

    def plugin_release(self, archive: Path) -> Plugin:
        with self.summary.step("plugin + release") as step:
            plugin = Plugin.create(code=PLUGIN_CODE, name="Demo classifier", category="neural_net")
            release = PluginRelease.create(
                plugin=plugin,
                version="1.0.0",
                file=archive,
                config={"actions": {"train": {"entrypoint": "train"}}},
                requirements=["numpy>=1.26"],
            )
            step.add(1, "plugin")
            step.add(1, "release", nbytes=archive.stat().st_size)
        self.say(f"  {release!r}")
        return plugin

    def plugin_run(self, plugin: Plugin) -> None:
        with self.summary.step("plugin run + job") as step:
            agent = Agent.create(name="demo-agent")
            job = plugin.run(action="train", agent=agent, params={"epochs": 3, "dataset": "pets"})
            if not isinstance(job, Job):
                raise TypeError(f"plugin run returned {type(job).__name__}, not a Job")
            job.wait(timeout=120, poll=0.2)
            logs = job.log_lines()
            step.add(1, "agent")
            step.add(1, "job")
            step.add(len(logs), "log line")
        self.say(f"  {job!r}")
        for line in logs:
            self.say(f"    | {line}")

    def model(self, plugin: Plugin, archive: Path) -> None:
        with self.summary.step("model") as step:
            model = Model.create(name="pets-v1", plugin=plugin, file=archive, configuration={"labels": list(LABELS)})
            step.add(1, "model", nbytes=archive.stat().st_size)
        self.say(f"  {model!r}")

    def ground_truth(self, collection: DataCollection, units: list[DataUnit]) -> None:
        with self.summary.step("ground truth") as step:
            dataset = GroundTruthDataset.create(name="pets reference", data_collection=collection)
            version = GroundTruthVersion.create(name="v1", ground_truth_dataset=dataset)
            for unit in units[:GROUND_TRUTH_EVENTS]:
                GroundTruthEvent.create(
                    ground_truth_dataset_version=version,
                    data_unit=unit,
                    data={"label": (unit.meta or {}).get("label")},
                )
            events: list[Any] = list(GroundTruthEvent.filter(ground_truth_dataset_versions=[version.id]))
            step.add(1, "dataset")
            step.add(1, "version")
            step.add(len(events), "event")
            step.add(len(events), "read back", "read back")
        self.say(f"  {version!r}: {len(events)} events read back")


class _Stopped(Exception):
    """Raised by :class:`_StopHalfway` to interrupt an upload on purpose."""


class _StopHalfway:
    """A progress callback that feeds ``bar`` and interrupts the first upload past half the file.

    Progress is reported once the server confirmed a chunk, so the bytes before the stop are
    on the server and the upload's journal points at them.
    """

    def __init__(self, bar: Progress, total: int) -> None:
        self.bar = bar
        self.total = total
        self.stopped_at = 0

    def __call__(self, done: int, total: int) -> None:
        self.bar.advance_to(done)
        if not self.stopped_at and self.total // 2 <= done < self.total:
            self.stopped_at = done
            raise _Stopped
