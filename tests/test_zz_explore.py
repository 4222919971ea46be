from tests.helpers import start, complete, open_task
from engine.models import Instance
from engine.runtime import load
from engine.store import dump_state, load_state
from engine.definitions import parsed_definition
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit

def dump(wf):
    for t in wf.get_tasks():
        if t.state in (TaskState.MAYBE, TaskState.LIKELY): continue
        print(("  " * t.depth), t.task_spec.name, TaskState.get_name(t.state), str(t.id)[:8], t.data.get("return_count"))

def test_x(app, as_user):
    from web.extensions import db
    hr, leader = as_user("hr_s01"), as_user("leader_s01")
    case = start(hr, "resignation", "S01C01", {"worker_id": 1, "reason": "x", "submitted_on": "2026-11-02"}).get_json()
    complete(hr, case["id"], "street_review", {"decision": "approve", "unfinished_business": False})
    complete(leader, case["id"], "street_decision", {"decision": "approve"})
    with app.app_context():
        inst = db.session.get(Instance, case["id"])
        l = load(db.session, inst)
        wf = l.workflow
        print("BEFORE"); dump(wf); print([ (e.event_type, e.value) for e in wf.waiting_events()])
        dec = [t for t in wf.get_tasks(spec_name="street_decision")][0]
        print("dec state", TaskState.get_name(dec.state), dec.workflow is wf)
        wf.reset_from_task_id(dec.id)
        print("AFTER RESET"); dump(wf)
        wf.do_engine_steps()
        print("AFTER STEPS"); dump(wf); print([ (e.event_type, e.value) for e in wf.waiting_events()])
        print([t.task_spec.name for t in wf.get_tasks(state=TaskState.READY, manual=True)])
        # now return to initiator
        st = wf.get_tasks(spec_name="application_received")[0]
        wf.reset_from_task_id(st.id)
        print("AFTER INIT RESET"); dump(wf); print(list(wf.subprocesses))
        blob = dump_state(wf)
        wf2 = load_state(blob, parsed_definition(l.definition), inst.state_format)
        wf2.script_engine = wf.script_engine
        dump(wf2)
        wf2.do_engine_steps()
        print("AFTER RESUBMIT"); dump(wf2); print([ (e.event_type, e.value) for e in wf2.waiting_events()])
