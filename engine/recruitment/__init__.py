"""Recruitment (招聘, docs/domain.md "Recruitment"): the per-application work beside the recruitment diagram.

The diagram holds the nine stages; each stage's user task only closes its stage. Everything done
to one application (registration, review, scores, physical, vetting, objections, probation) is an
indexed row change here, one transaction each, scope-checked like every engine function.
"""
