"""Training one Keras model with several worker processes (``MultiWorkerMirroredStrategy``), on
one machine, with a worker lost and recovered.

:func:`train_workers` starts ``num_workers`` Python processes on this machine, each running
``_worker_main`` (``python -m lstm.keras.distributed --worker JOB_DIR INDEX``). Each gets its own
``TF_CONFIG``: the addresses of all workers (free ports on 127.0.0.1, :func:`free_ports`) and its own
index (:func:`tf_config`); worker 0 is the chief. Every worker builds the same model
(:func:`lstm.keras.models.sentiment_model`, :data:`TINY` by default) under the strategy and trains it
with a custom step run by ``strategy.run``:

- the global batch of ``global_batch_size`` examples is split across the workers, each loss summed
  over its share and divided by the global batch size, so that the gradients the optimizer sums
  over the workers (an all-reduce) are those of the mean loss over the global batch;
- the dataset is sharded explicitly: every worker shuffles the same examples with the same seed and
  keeps every ``num_workers``-th one (``tf.data.Dataset.shard``), so that batch ``b`` of all workers
  together is batch ``b`` of a one-process run (:func:`train_reference`) with the same global batch.

``model.fit`` is not used: under this strategy Keras 3's ``fit`` stops with ``ValueError: Attempt to
convert a value (PerReplica:{...}) with an unsupported type`` (keras-team/keras#20585).

Checkpoints: with ``checkpoint_every=k`` every worker saves model, optimizer and step counter every
``k`` steps with ``tf.train.CheckpointManager``, the chief into ``checkpoint_dir``, the others into a
temporary folder each, deleted at once (all workers must save: TensorFlow's multi-worker tutorial).
A run restores the chief's latest checkpoint when there is one and continues from its step, skipping
the batches already trained on. ``kill_worker_after_step=s`` makes a worker stop after step ``s``
and the parent kill it (``SIGKILL``); the parent then kills the others and starts them all again,
which resume from the last checkpoint.

The parent imports no TensorFlow: it writes the job (settings and data) into a folder, starts the
workers with ``subprocess``, watches the files they write (a sign of life, one line per step, the
final weights) and kills every worker it started, in its own session, on success, error, timeout or
interruption; a worker whose parent is gone (killed itself) or whose time is up ends on its own
(a watchdog thread). Each worker runs with one thread for intra- and inter-op work and op
determinism on (oneDNN off unless the caller's environment turns it on), so runs are repeatable and light.

References: TensorFlow's guides "Multi-worker training with Keras" and "Custom training loop with
Keras and MultiWorkerMirroredStrategy" (``TF_CONFIG``, sharding, checkpoints of non-chief workers);
Goyal et al. (2017), "Accurate, large minibatch SGD" (the global batch and the all-reduce);
keras-team/keras#20585 (``fit`` under ``MultiWorkerMirroredStrategy`` in Keras 3).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np

from ..checks import check_int, check_number
from ..recipes import BASELINE

__all__ = [
    "TINY",
    "RunResult",
    "free_ports",
    "make_train_step",
    "sharded_dataset",
    "tf_config",
    "train_reference",
    "train_workers",
    "worker_env",
]

#: A small configuration of :data:`lstm.recipes.BASELINE` (``Embedding -> LSTM -> Dense``, masked,
#: no dropout): 100 words, 16-dimensional embeddings, 16 units, 20 ids per example.
TINY = MappingProxyType({**BASELINE, "vocab_size": 100, "embedding_dim": 16, "units": 16, "maxlen": 20})

_HOST = "127.0.0.1"
_POLL = 0.05  # seconds between two looks at the workers


@dataclass
class RunResult:
    """What :func:`train_workers` and :func:`train_reference` return.

    ``losses[w, s]``: the loss over the global batch of step ``s + 1`` as worker ``w`` saw it (after a
    restart, the steps run again replace the lost ones). ``weights[w]``: worker ``w``'s final weights
    (``model.get_weights()`` order). ``attempts``: one dict per start of the workers, ``start`` (the
    step it resumed from) and ``losses`` (``(num_workers, steps it ran)``). ``epoch_seconds[w, e]``:
    wall time of epoch ``e`` on worker ``w`` (NaN for an epoch interrupted by a restart).
    ``pids``: every worker process started.
    """

    losses: np.ndarray
    weights: list[list[np.ndarray]]
    attempts: list[dict] = field(default_factory=list)
    epoch_seconds: np.ndarray | None = None
    pids: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def restarts(self):
        return len(self.attempts) - 1


# ----------------------------------------------------------------------------- configuration
def free_ports(n, host=_HOST):
    """``n`` distinct TCP ports free on ``host`` now (bound to port 0, then released)."""
    sockets = []
    try:
        for _ in range(check_int("n", n)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _check_port_free(port, host=_HOST):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError as error:
            raise ValueError(f"port {port} on {host} is in use ({error.strerror}); pick another") from None


def tf_config(ports, index, host=_HOST):
    """The ``TF_CONFIG`` dict of worker ``index`` in a cluster of workers at ``host:port``."""
    return {
        "cluster": {"worker": [f"{host}:{port}" for port in ports]},
        "task": {"type": "worker", "index": int(index)},
    }


def worker_env(config=None, threads=1):
    """The environment of a worker: this one, with ``TF_CONFIG`` (None: removed), quiet and
    deterministic TensorFlow (oneDNN as ``TF_ENABLE_ONEDNN_OPTS`` says here, off when it is
    unset), and ``threads`` threads."""
    env = dict(os.environ)
    env.pop("TF_CONFIG", None)
    if config is not None:
        env["TF_CONFIG"] = json.dumps(config)
    env.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # as the caller has it; off when unset
    env.update(
        TF_CPP_MIN_LOG_LEVEL="3",
        TF_DETERMINISTIC_OPS="1",
        CUDA_VISIBLE_DEVICES="",
        OMP_NUM_THREADS=str(threads),
        LSTM_WORKER_THREADS=str(threads),
        PYTHONUNBUFFERED="1",
    )
    return env


# ----------------------------------------------------------------------------- the parent
def train_workers(
    x,
    y,
    *,
    num_workers=2,
    config=TINY,
    global_batch_size=32,
    epochs=2,
    learning_rate=None,
    seed=0,
    checkpoint_every=None,
    checkpoint_dir=None,
    kill_worker_after_step=None,
    kill_worker=1,
    use_fit=False,
    ports=None,
    timeout=300.0,
    start_timeout=60.0,
    workdir=None,
    command=None,
):
    """Train ``sentiment_model(**config)`` on ``(x, y)`` with ``num_workers`` worker processes.

    Args:
        x, y: int token ids ``(n, maxlen)`` and 0/1 labels ``(n,)``.
        num_workers: worker processes (1 or more), each one replica.
        config: keyword arguments of :func:`lstm.keras.models.sentiment_model` (without ``compile``);
            dropout makes the workers draw different masks, so keep it at 0 for equal runs.
        global_batch_size: examples per step over all workers (a multiple of ``num_workers``); each
            epoch takes ``n // global_batch_size`` steps and leaves the remainder out.
        epochs, seed: epochs, and the seed of the initial weights and of each epoch's shuffle.
        learning_rate: Adam's learning rate (None: ``config``'s, else 2e-3).
        checkpoint_every: save a checkpoint every this many steps (None: never).
        checkpoint_dir: the chief's checkpoints (None: a folder in ``workdir``). A run finding a
            checkpoint there resumes from it.
        kill_worker_after_step: kill worker ``kill_worker`` once it has finished this step, then
            restart all workers from the last checkpoint (needs ``checkpoint_every``).
        use_fit: train with ``model.fit``, as TensorFlow's tutorial does, instead of the custom step:
            with Keras 3 the workers stop with an error (keras-team/keras#20585), which this
            call raises as a RuntimeError; for showing that failure.
        ports: the workers' ports on 127.0.0.1 (None: free ones). A port in use is a ValueError.
        timeout: seconds for the whole call (TimeoutError after it).
        start_timeout: seconds for every worker to give a sign of life (RuntimeError after it).
        workdir: the folder for the job, logs and results (None: a temporary one, removed after).
        command: ``command(index, argv)`` -> the argv that starts worker ``index`` (None: ``argv``,
            which runs this module); for tests of workers that never start or fail.

    Returns:
        A :class:`RunResult`. No worker process outlives the call.
    """
    x, y, job = _job(x, y, num_workers, config, global_batch_size, epochs, learning_rate, seed)
    timeout = check_number("timeout", timeout, positive=True)
    start_timeout = check_number("start_timeout", start_timeout, positive=True)
    if checkpoint_every is not None:
        job["checkpoint_every"] = check_int("checkpoint_every", checkpoint_every)
    if kill_worker_after_step is not None:
        step = check_int("kill_worker_after_step", kill_worker_after_step)
        if checkpoint_every is None:
            raise ValueError("kill_worker_after_step needs checkpoint_every (a run to resume from)")
        if step >= job["total_steps"]:
            raise ValueError(f"kill_worker_after_step={step} must be below the {job['total_steps']} steps")
        if not 0 <= int(kill_worker) < num_workers:
            raise ValueError(f"kill_worker={kill_worker} is not one of the {num_workers} workers")
        job["kill"] = [int(kill_worker), step]
    if use_fit and (checkpoint_every is not None or kill_worker_after_step is not None):
        raise ValueError(
            "use_fit=True runs the tutorial's model.fit without checkpoints: "
            "leave checkpoint_every and kill_worker_after_step at None"
        )
    job["use_fit"] = bool(use_fit)
    if ports is None:
        ports = free_ports(num_workers)
    ports = [int(p) for p in ports]
    if len(ports) != num_workers or len(set(ports)) != num_workers:
        raise ValueError(f"need {num_workers} distinct ports, got {ports}")
    for port in ports:
        _check_port_free(port)
    configs = [tf_config(ports, i) for i in range(num_workers)]
    return _run(x, y, job, configs, checkpoint_dir, timeout, start_timeout, workdir, command)


def train_reference(
    x,
    y,
    *,
    config=TINY,
    global_batch_size=32,
    epochs=2,
    learning_rate=None,
    seed=0,
    timeout=300.0,
    start_timeout=60.0,
    workdir=None,
):
    """The same training in one process without a strategy (TensorFlow's default one), each step on the
    whole global batch: the run :func:`train_workers` is compared with. Runs in a worker process too
    (the same environment, one thread), so the caller's TensorFlow is left alone."""
    x, y, job = _job(x, y, 1, config, global_batch_size, epochs, learning_rate, seed)
    timeout = check_number("timeout", timeout, positive=True)
    start_timeout = check_number("start_timeout", start_timeout, positive=True)
    return _run(x, y, job, [None], None, timeout, start_timeout, workdir, None)


def _job(x, y, num_workers, config, global_batch_size, epochs, learning_rate, seed):
    num_workers = check_int("num_workers", num_workers)
    global_batch_size = check_int("global_batch_size", global_batch_size)
    if global_batch_size % num_workers:
        raise ValueError(f"global_batch_size={global_batch_size} must be a multiple of {num_workers=}")
    x = np.asarray(x, dtype=np.int32)
    y = np.asarray(y, dtype=np.float32).reshape(-1)
    if x.ndim != 2 or len(x) != len(y):
        raise ValueError(f"x must be (n, maxlen) and y (n,), got {x.shape} and {y.shape}")
    steps_per_epoch = len(x) // global_batch_size
    if steps_per_epoch < 1:
        raise ValueError(f"{len(x)} examples make no global batch of {global_batch_size}")
    config = {k: v for k, v in dict(config).items() if k != "compile"}
    if learning_rate is None:
        learning_rate = config.pop("learning_rate", 2e-3)
    config.pop("learning_rate", None)
    job = {
        "config": config,
        "learning_rate": check_number("learning_rate", learning_rate, positive=True),
        "global_batch_size": global_batch_size,
        "epochs": check_int("epochs", epochs),
        "seed": int(seed),
        "num_workers": num_workers,
        "steps_per_epoch": steps_per_epoch,
        "total_steps": steps_per_epoch * epochs,
        "checkpoint_every": None,
        "kill": None,
        "use_fit": False,
    }
    return x, y, job


def _run(x, y, job, configs, checkpoint_dir, timeout, start_timeout, workdir, command):
    began = time.monotonic()
    deadline = began + timeout
    own = workdir is None
    root = Path(tempfile.mkdtemp(prefix="lstm-workers-") if own else workdir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    job["checkpoint_dir"] = str(Path(checkpoint_dir).resolve() if checkpoint_dir else root / "checkpoints")
    n = len(configs)
    attempts, pids = [], []
    try:
        for stale in root.glob("*-*-*"):  # markers, logs and results of an earlier call here
            if stale.is_file() and stale.name.split("-")[0] in ("alive", "paused", "log", "out", "result"):
                stale.unlink()
        np.savez(root / "data.npz", x=x, y=y)
        while True:
            attempt = len(attempts)
            job["attempt"] = attempt
            job["deadline"] = time.time() + (deadline - time.monotonic()) + 5  # the workers' own limit
            (root / "job.json").write_text(json.dumps(job))
            killed = _attempt(root, job, configs, attempt, deadline, start_timeout, command, pids)
            attempts.append(_read_attempt(root, attempt, n))
            if not killed:
                break
            if attempt >= 3:
                raise RuntimeError("the workers were restarted 3 times without finishing")
        results = [np.load(root / f"result-{attempt}-{i}.npz") for i in range(n)]
        weights = [[r[f"w{k}"] for k in range(int(r["num_weights"]))] for r in results]
        epoch_seconds = np.stack([r["epoch_seconds"] for r in results])
        losses = np.full((n, job["total_steps"]), np.nan)
        for a in attempts:
            losses[:, a["start"] : a["start"] + a["losses"].shape[1]] = a["losses"]
        return RunResult(losses, weights, attempts, epoch_seconds, pids, time.monotonic() - began)
    finally:
        if own:
            shutil.rmtree(root, ignore_errors=True)


def _attempt(root, job, configs, attempt, deadline, start_timeout, command, pids):
    """Start the workers once and watch them; True when the planned kill happened (restart them)."""
    n = len(configs)
    procs = []
    try:
        for i, config in enumerate(configs):
            argv = [sys.executable, "-m", __name__, "--worker", str(root), str(i)]
            if command is not None:
                argv = list(command(i, argv))
            with open(root / f"out-{attempt}-{i}.txt", "wb") as out:
                env = worker_env(config)
                options = dict(stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
                proc = subprocess.Popen(argv, env=env, **options)  # a session of its own: killpg
                procs.append(proc)
            pids.append(procs[-1].pid)
        started = time.monotonic()
        while True:
            if job["kill"] is not None and attempt == 0:
                index = job["kill"][0]
                if (root / f"paused-{attempt}-{index}").exists():
                    _kill(procs[index])  # the worker lost; the others now wait for it in vain
                    return True
            for i, proc in enumerate(procs):
                code = proc.poll()
                if code is not None and code != 0:
                    raise RuntimeError(
                        f"worker {i} (pid {proc.pid}) died with exit code {code}:\n"
                        + _tail(root / f"out-{attempt}-{i}.txt")
                    )
            if all(proc.poll() == 0 for proc in procs):
                return False
            now = time.monotonic()
            silent = [i for i in range(n) if not (root / f"alive-{attempt}-{i}").exists()]
            if silent and now - started > start_timeout:
                raise RuntimeError(
                    f"worker{'s' if len(silent) > 1 else ''} {', '.join(map(str, silent))} never started "
                    f"(no sign of life within start_timeout={start_timeout:g} s)"
                )
            if now > deadline:
                steps = [_steps_done(root, attempt, i) for i in range(n)]
                raise TimeoutError(f"the workers did not finish within the timeout (steps done: {steps})")
            time.sleep(_POLL)
    finally:
        for proc in procs:
            _kill(proc)


def _kill(proc):
    """Kill a worker and everything in its session (it was started in one of its own), and reap it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


def _tail(path, lines=15):
    try:
        text = Path(path).read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no output)"
    return "\n".join(text[-lines:]) or "(no output)"


def _steps_done(root, attempt, index):
    path = root / f"log-{attempt}-{index}.txt"
    return max(len(path.read_text().splitlines()) - 1, 0) if path.exists() else 0


def _read_attempt(root, attempt, n):
    logs, start = [], 0
    for i in range(n):
        path = root / f"log-{attempt}-{i}.txt"
        rows = [line.split() for line in path.read_text().splitlines()] if path.exists() else []
        if rows and rows[0][0] == "start":
            start = int(rows.pop(0)[1])
        logs.append(rows)
    done = min(len(rows) for rows in logs)  # steps every worker finished
    losses = np.array([[float(r[1]) for r in rows[:done]] for rows in logs]).reshape(n, done)
    return {"start": start, "losses": losses}


# ----------------------------------------------------------------------------- the training step
def sharded_dataset(strategy, x, y, global_batch_size, steps_per_epoch, seed, skip=0):
    """One epoch of ``(x, y)`` for ``strategy``: every worker shuffles the same examples with
    ``seed`` and keeps every n-th one, so that batch b of all workers together is the global batch
    b of a one-process run; ``skip`` batches already trained on are left out."""
    import tensorflow as tf  # here, not at the top: the parent process never imports it

    def worker_dataset(context):  # this worker's share, batched per replica
        ds = tf.data.Dataset.from_tensor_slices((x, y))
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=False)
        ds = ds.take(steps_per_epoch * global_batch_size)  # whole global batches
        ds = ds.shard(context.num_input_pipelines, context.input_pipeline_id)
        per_replica = context.get_per_replica_batch_size(global_batch_size)
        return ds.batch(per_replica, drop_remainder=True).skip(skip)

    return strategy.distribute_datasets_from_function(worker_dataset)


def make_train_step(strategy, model, optimizer, global_batch_size, step):
    """One training step of ``model`` under ``strategy``: each replica's loss is summed
    over its share of the batch and divided by the *global* batch size, so that the
    gradients the optimizer all-reduces (sums over the replicas) are those of the mean
    over the global batch."""
    import keras
    import tensorflow as tf

    def replica_step(xb, yb):  # (B/n, T) ids, (B/n,) labels
        with tf.GradientTape() as tape:
            p = model(xb, training=True)[:, 0]  # (B/n,)
            per_example = keras.losses.binary_crossentropy(yb[:, None], p[:, None])
            loss = tf.reduce_sum(per_example) / global_batch_size
        grads = tape.gradient(loss, model.trainable_variables)
        # under the strategy, apply_gradients all-reduces the gradients first
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    @tf.function
    def train_step(xb, yb):
        losses = strategy.run(replica_step, args=(xb, yb))
        step.assign_add(1)
        return strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)

    return train_step


# ----------------------------------------------------------------------------- a worker
def _watchdog(parent, deadline):
    """End this worker if its parent is gone (it could not kill it) or the call's time is up."""
    while os.getppid() == parent and time.time() < deadline:
        time.sleep(0.5)
    os._exit(3)


def _worker_main(root, index):
    root = Path(root)
    job = json.loads((root / "job.json").read_text())
    attempt = job["attempt"]
    (root / f"alive-{attempt}-{index}").touch()
    threading.Thread(target=_watchdog, args=(os.getppid(), job["deadline"]), daemon=True).start()

    import keras
    import tensorflow as tf

    from .models import sentiment_model

    threads = int(os.environ.get("LSTM_WORKER_THREADS", "1"))
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    tf.config.experimental.enable_op_determinism()
    tf.get_logger().setLevel("ERROR")

    multi = "TF_CONFIG" in os.environ
    strategy = tf.distribute.MultiWorkerMirroredStrategy() if multi else tf.distribute.get_strategy()
    if strategy.num_replicas_in_sync != job["num_workers"]:
        raise RuntimeError(f"{strategy.num_replicas_in_sync} replicas for {job['num_workers']} workers")
    batch, steps_per_epoch, seed = job["global_batch_size"], job["steps_per_epoch"], job["seed"]

    keras.utils.set_random_seed(seed)  # the same initial weights on every worker
    with strategy.scope():
        model = sentiment_model(**job["config"], compile=False)
        optimizer = keras.optimizers.Adam(learning_rate=job["learning_rate"])
        optimizer.build(model.trainable_variables)
        step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")

    # Checkpoints: the chief writes into checkpoint_dir, the others into a folder of their own,
    # deleted after each save; all restore the chief's.
    manager = None
    if job["checkpoint_every"]:
        checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, step=step)
        chief_dir = job["checkpoint_dir"]
        own_dir = chief_dir if index == 0 else os.path.join(chief_dir, f"worker-{index}-tmp")
        manager = tf.train.CheckpointManager(checkpoint, own_dir, max_to_keep=2)
        latest = tf.train.latest_checkpoint(chief_dir)
        if latest:
            checkpoint.restore(latest).assert_existing_objects_matched()

    data = np.load(root / "data.npz")
    x, y = data["x"], data["y"]
    if job["use_fit"]:  # TensorFlow's tutorial: compile and fit under the strategy
        with strategy.scope():
            model.compile(optimizer=optimizer, loss="binary_crossentropy")
        dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch, drop_remainder=True)
        (root / f"log-{attempt}-{index}.txt").write_text("start 0\n")
        try:
            model.fit(dataset, epochs=job["epochs"], verbose=0)  # Keras 3: fails (keras-team/keras#20585)
        except Exception as error:  # the traceback, then the error's first and last lines
            traceback.print_exc()
            lines = str(error).strip().splitlines() or [""]
            short = lines[0] if len(lines) == 1 else f"{lines[0]} … {lines[-1].strip()}"
            print(f"{type(error).__name__}: {short}", file=sys.stderr, flush=True)
            sys.exit(1)
        _save_result(root, attempt, index, model, np.full(job["epochs"], np.nan))
        return
    train_step = make_train_step(strategy, model, optimizer, batch, step)

    kill = job["kill"] if attempt == 0 else None
    epoch_seconds = np.full(job["epochs"], np.nan)
    with open(root / f"log-{attempt}-{index}.txt", "w") as log:
        first = int(step.numpy())
        log.write(f"start {first}\n")
        for epoch in range(first // steps_per_epoch, job["epochs"]):
            began = time.perf_counter()
            skip = first - epoch * steps_per_epoch if first > epoch * steps_per_epoch else 0
            dataset = sharded_dataset(strategy, x, y, batch, steps_per_epoch, seed + epoch, skip)
            for xb, yb in dataset:
                loss = float(train_step(xb, yb))
                done = int(step.numpy())
                log.write(f"{done} {loss!r}\n")
                log.flush()
                if manager is not None and done % job["checkpoint_every"] == 0:
                    manager.save(checkpoint_number=done)
                    if index != 0:
                        shutil.rmtree(own_dir, ignore_errors=True)
                if kill is not None and kill[0] == index and done == kill[1]:
                    (root / f"paused-{attempt}-{index}").touch()
                    time.sleep(3600)  # the parent kills this worker now
            if skip == 0:
                epoch_seconds[epoch] = time.perf_counter() - began
    _save_result(root, attempt, index, model, epoch_seconds)


def _save_result(root, attempt, index, model, epoch_seconds):
    weights = model.get_weights()
    result = {f"w{k}": w for k, w in enumerate(weights)}
    tmp = root / f"result-{attempt}-{index}.tmp.npz"
    np.savez(tmp, num_weights=len(weights), epoch_seconds=epoch_seconds, **result)
    os.replace(tmp, root / f"result-{attempt}-{index}.npz")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "--worker":
        sys.exit("usage: python -m lstm.keras.distributed --worker JOB_DIR INDEX")
    _worker_main(sys.argv[2], int(sys.argv[3]))
