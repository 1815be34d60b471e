"""Worker processes killed while sending their answer, for the tests of `parse_pass.watched`.

A worker of a `ProcessPoolExecutor` sends its answer down one pipe shared by all the workers,
holding the pipe's lock; killed in the middle (the out-of-memory killer, say), it leaves the length
of the answer and a part of it in the pipe and the lock taken. The functions here, submitted to
such a worker, do exactly that (and, called in the test's own process, the real work)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import struct
import sys

from mastgraph.pipeline import across_spill

_replay = across_spill.replay


def _answers():
    """The worker's queue of answers (`concurrent.futures.process._process_worker`'s)."""
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code.co_name == "_process_worker" and "result_queue" in frame.f_locals:
            return frame.f_locals["result_queue"]
        frame = frame.f_back
    raise RuntimeError("not run by a worker of a ProcessPoolExecutor")


def die_while_answering(*args, **kwargs):
    """Begin an answer of a megabyte with the pipe's lock taken, as the worker's sending does, and
    be killed there (SIGKILL)."""
    answers = _answers()
    answers._wlock.acquire()
    os.write(answers._writer.fileno(), struct.pack("!i", 2**20) + b"\x80\x04part of it")
    os.kill(os.getpid(), signal.SIGKILL)


def replay_or_die(*args):
    """`across_spill.replay` in the test's own process; killed while answering in a worker."""
    if multiprocessing.parent_process() is not None:
        die_while_answering()
    return _replay(*args)


def answer(value, seconds: float = 0.0):
    """`value`, after `seconds`."""
    import time

    time.sleep(seconds)
    return value


def die_while_putting():
    """In a bulk worker (`bulk._worker_main`): begin an answer in its queue, the queue's lock taken
    as its sending thread takes it, and be killed there (SIGKILL)."""
    frame = sys._getframe()
    while frame is not None and not (frame.f_code.co_name == "_worker_main" and "results" in frame.f_locals):
        frame = frame.f_back
    if frame is None:
        raise RuntimeError("not run by a bulk worker")
    answers = frame.f_locals["results"]
    answers._wlock.acquire()
    os.write(answers._writer.fileno(), struct.pack("!i", 2**20) + b"\x80\x04part of it")
    os.kill(os.getpid(), signal.SIGKILL)


class StageWorker:
    """A worker of a bulk stage (`bulk.run_stage`) doing what its tasks say: ("say", value) sends
    `value` as a message, ("die",) is killed between two answers, ("die answering",) while sending one."""

    def __init__(self, config, tag: str) -> None:
        self.said: list = []

    def run(self, task: tuple, on_message) -> None:
        if task[0] == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        if task[0] == "die answering":
            die_while_putting()
        on_message(task[1])
        self.said.append(task[1])

    def finish(self) -> list:
        return self.said
