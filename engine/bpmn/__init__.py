"""SpiffWorkflow and BPMN: the hardened XML parser, parsing and validation of uploads, the script
sandbox, saved workflow state, compaction and resets. Importing the layer points SpiffWorkflow's
timers at the engine's clock."""

from engine.bpmn import timer_clock  # noqa: F401 - applies the clock to SpiffWorkflow's timers
