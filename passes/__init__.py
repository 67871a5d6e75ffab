"""Static passes.  ``SOURCE_PASSES`` read C/C++ through libclang; ``IR_PASSES``
read bitcode through llvmlite (appended by the IR work).  The analysis driver
instantiates every class listed here, in order."""
from .source_complexity import SourceComplexityPass
from .source_key import FlowKeyPass, ProvidesPass, SymmetricKeyPass
from .source_pointer import PointerFieldPass
from .source_rewrites import RewritePass
from .source_state import StateContainerPass
from .source_writes import StateWritePass

SOURCE_PASSES = [StateContainerPass, FlowKeyPass, SymmetricKeyPass, StateWritePass,
                 PointerFieldPass, SourceComplexityPass, ProvidesPass, RewritePass]
from .ir_complexity import ComplexityPass  # noqa: E402  (IR passes: llvmlite)
from .ir_pointer import IRPointerPass  # noqa: E402
from .ir_rewrites import IRRewritePass  # noqa: E402
from .ir_taint import HeaderTaintPass  # noqa: E402
from .ir_writes import WriteDominancePass  # noqa: E402

IR_PASSES: list = [HeaderTaintPass, WriteDominancePass, IRPointerPass, ComplexityPass,
                   IRRewritePass]
