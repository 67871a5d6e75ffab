"""The generated chain benchmark: one C program per (configuration, core count).

``ChainSpec`` is the chain as the benchmark sees it (from NFFeatures, in packet
order); a ``Configuration`` adds what a deployment decides (dispatch plan, the
mode of each NF and how shared state is protected).  ``build`` renders the
Jinja2 template and the plan's own dispatcher (``render_dispatcher``; one per
device when the plan dispatches devices differently), compiles them with the
system C compiler and ``Program.run`` returns the program's JSON result.
"""
from __future__ import annotations

import copy
import json
import math
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import jinja2

from ..artifacts import KEY_FIELDS, Plan
from ..errors import AnalysisError, InputError
from ..emitters.dispatcher import render_dispatcher, round_robin_reta
from ..solver.cost import MODE_NOTHING, MODE_SHARED

TEMPLATE_DIR = Path(__file__).parent / "templates"
CFLAGS = ("-O2", "-pthread", "-Wall", "-Wextra")
CHAIN_DEPTH = 4               # nodes walked per packet by NFs with pointers in their state
CYCLES_PER_ITERATION = 4      # element_work's multiply chain: complexity / 4 iterations

# How a shared NF's state is protected, by its placement's realisation.
LOCK, ATOMIC, RACE = "lock", "atomic", "race"
PROTECTION_OF_REALISATION = {"lock": LOCK, "thread-safe": ATOMIC, "handoff": ATOMIC,
                             "variant": ATOMIC, "keyword": ATOMIC}


@dataclass
class ElementSpec:
    """One chain element: stateless work, or a stateful NF with its table."""
    name: str
    cls: str
    stateful: bool = False
    key: tuple = ()
    symmetric: bool = False
    intensity: Optional[str] = None
    pointer: bool = False
    complexity: float = 0.0
    shared_realisation: Optional[str] = None    # how sharing is realised (placement options)

    @property
    def per_packet(self) -> bool:
        return self.intensity != "per-flow"      # unknown intensity: per-packet, as the model

    @property
    def iterations(self) -> int:
        return max(0, math.ceil(self.complexity / CYCLES_PER_ITERATION))


@dataclass
class ChainSpec:
    elements: list[ElementSpec]

    @property
    def stateful(self) -> list[ElementSpec]:
        return [e for e in self.elements if e.stateful]


@dataclass
class Configuration:
    """A deployment to measure: the dispatch plan and every stateful NF's mode."""
    label: str
    plan: Plan
    modes: dict[str, str]                        # element -> mode
    protection: dict[str, str] = field(default_factory=dict)   # shared element -> LOCK/ATOMIC/RACE
    names: list[str] = field(default_factory=list)  # every name this configuration goes by
    predicted: Optional[float] = None            # the cost model's cycles/packet for it

    @property
    def safe(self) -> bool:
        """No shared state is written without synchronisation (what the solver may pick)."""
        return RACE not in self.protection.values()

    def signature(self) -> tuple:
        ports = tuple(tuple(p.fields) for p in self.plan.ports)
        return (tuple(self.plan.fields), ports, tuple(sorted(self.modes.items())),
                tuple(sorted(self.protection.items())))

    def describe(self, spec: ChainSpec) -> str:
        if self.plan.ports:
            fields = " / ".join("{" + ",".join(p.fields) + "}" for p in self.plan.ports)
        else:
            fields = "{" + ",".join(self.plan.fields) + "}"
        shared = [f"{e.name}:{self.protection.get(e.name, ATOMIC)}" for e in spec.stateful
                  if self.modes.get(e.name) == MODE_SHARED]
        return f"{fields} shared[{', '.join(shared) or '-'}]"


def protection_for(element: ElementSpec, realisation: Optional[str] = None) -> str:
    """A shared NF's protection: its placement's realisation, else the realisable option."""
    how = realisation if realisation not in (None, "as-is") else element.shared_realisation
    return PROTECTION_OF_REALISATION.get(how or "", RACE)


def plan_for_cores(plan: Plan, cores: int) -> Plan:
    view = copy.deepcopy(plan)
    view.cores, view.reta = cores, round_robin_reta(cores)
    return view


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["json"] = json.dumps
    env.filters["cstr"] = lambda s: json.dumps(str(s))   # a JSON string is a valid C literal
    return env


def capacity_for(flows: int) -> int:
    """Slots per table: a power of two with load factor at most 1/2."""
    return 1 << max(10, math.ceil(math.log2(max(1, 2 * flows))))


def _element_context(spec: ChainSpec, config: Configuration) -> list[dict]:
    out = []
    for i, e in enumerate(spec.elements):
        shared = e.stateful and config.modes.get(e.name) != MODE_NOTHING
        key = set(e.key)
        port_mask = (0xFFFF0000 if "src_port" in key else 0) | (0xFFFF if "dst_port" in key else 0)
        out.append(dict(index=i, name=e.name, cls=e.cls, stateful=e.stateful, shared=shared,
                        protection=config.protection.get(e.name, ATOMIC) if shared else "private",
                        key_text="{" + ", ".join(f for f in KEY_FIELDS if f in key) + "}",
                        src="src_ip" in key, dst="dst_ip" in key, proto="protocol" in key,
                        port_mask=f"0x{port_mask:08x}", symmetric=e.symmetric,
                        per_packet=e.per_packet, pointer=e.pointer,
                        complexity=round(e.complexity, 1), iterations=e.iterations))
    return out


# The dispatcher's external names; renamed per device so several link into one program.
_DISPATCH_NAME = re.compile(r"\bflowmage_(?!tuple\b)")


def render(spec: ChainSpec, config: Configuration, cores: int, flows: int) -> dict[str, str]:
    """Source files (name -> text) of the program for ``config`` on ``cores`` cores."""
    views = [plan_for_cores(config.plan.for_device(p), cores) for p in config.plan.ports] or \
        [plan_for_cores(config.plan, cores)]
    files, devices = {}, []
    for i, view in enumerate(views):
        header = f"dispatch{i}.h"
        try:
            source, head = render_dispatcher(view, header)
        except AnalysisError as e:
            raise AnalysisError(f"configuration '{config.label}': {e.message}") from None
        if i:
            source = _DISPATCH_NAME.sub(f"flowmage_dev{i}_", source)
            head = _DISPATCH_NAME.sub(f"flowmage_dev{i}_", head)
        files[f"dispatch{i}.c"], files[header] = source, head
        devices.append(dict(queue_fn="flowmage_queue" if i == 0 else f"flowmage_dev{i}_queue"))
    capacity = capacity_for(flows)
    ctx = dict(label=config.label, cores=cores, capacity=capacity,
               pool_size=1 << math.ceil(math.log2(capacity * CHAIN_DEPTH)),
               chain_depth=CHAIN_DEPTH, elements=_element_context(spec, config),
               devices=devices, headers=[f"dispatch{i}.h" for i in range(len(views))])
    files["bench.c"] = _environment().get_template("chain_bench.c.j2").render(ctx)
    return files


def compiler() -> str:
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        raise InputError("flowmagec bench needs a C compiler (cc or gcc, or $CC)")
    return cc


def compile_c(files: dict[str, str], workdir: Path, name: str,
              extra: tuple = ()) -> tuple[Path, str]:
    """Write ``files`` to ``workdir`` and link their .c into ``name``; (binary, warnings)."""
    workdir.mkdir(parents=True, exist_ok=True)
    for fname, text in files.items():
        (workdir / fname).write_text(text)
    binary = workdir / name
    cmd = [compiler(), *CFLAGS, *extra, "-o", str(binary),
           *sorted(str(workdir / f) for f in files if f.endswith(".c"))]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise AnalysisError(f"compiling {name} failed: {done.stderr.strip()[-2000:]}")
    return binary, done.stderr


@dataclass
class Program:
    config: Configuration
    cores: int
    binary: Path
    warnings: str = ""

    def run(self, trace_path: str, reps: int = 3, queues_out: Optional[str] = None,
            timeout: float = 600, clock: str = "wall") -> dict:
        """The program's JSON result plus ``mpps``: packets over the best run's wall
        time (``clock='wall'``) or over its busiest core's thread CPU time
        (``'cpu'``: robust when other processes share the CPUs, blind to cores
        waiting off-CPU)."""
        cmd = [str(self.binary), trace_path, str(reps)] + ([queues_out] if queues_out else [])
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise AnalysisError(f"benchmark {self.config.label} on {self.cores} cores failed: "
                                f"{done.stderr.strip()[-1000:]}")
        return with_mpps(json.loads(done.stdout), clock)


def with_mpps(result: dict, clock: str = "wall") -> dict:
    """A program's JSON result plus ``mpps`` by ``clock`` and ``mpps_wall``."""
    seconds = result["best_cpu_s"] if clock == "cpu" else result["best_s"]
    result["mpps_wall"] = result["processed"] / result["best_s"] / 1e6 if result["best_s"] else 0.0
    result["mpps"] = result["processed"] / seconds / 1e6 if seconds > 0 else 0.0
    return result


def slug(config: Configuration, cores: int) -> str:
    return f"{re.sub(r'[^A-Za-z0-9]+', '-', config.label).strip('-') or 'config'}-c{cores}"


def build(spec: ChainSpec, config: Configuration, cores: int, flows: int,
          workdir: Path) -> Program:
    binary, warnings = compile_c(render(spec, config, cores, flows),
                                 workdir / slug(config, cores), "bench")
    return Program(config=config, cores=cores, binary=binary, warnings=warnings)
