# Shared by the lab benchmarks that compare tunings (bench-tuning-cpu.sh,
# bench-false-failovers.sh): a fresh lab with the whole rendered bundle applied under one
# spec.tuning profile. The caller sets binary, state, work and binaries, and owns the trap that
# takes the lab down.
# shellcheck shell=bash

# lab_apply_profile PROFILE: a new lab, its plan with only PROFILE under spec.tuning, rendered
# and applied until the whole cluster is verified.
lab_apply_profile() {
  local profile=$1 plan
  "$binary" lab down --state-dir "$state" >/dev/null 2>&1 || true
  rm -rf "$work/render" "$work/state" "$work/pki"
  "$binary" lab up --state-dir "$state" >/dev/null 2>&1
  # Beside lab.yaml: apply --lab finds the lab's known hosts and keys next to the plan.
  plan=$state/plan-$profile.yaml
  python3 - "$state/lab.yaml" "$plan" "$profile" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
text, count = re.subn(r"\n  tuning:\n(    .*\n)*", "\n  tuning:\n    profile: %s\n" % sys.argv[3], text)
if count != 1:
    sys.exit("lab-profile: no spec.tuning block in " + sys.argv[1])
open(sys.argv[2], "w").write(text)
PY
  "$binary" render "$plan" --lab --output-dir "$work/render" --pki-dir "$work/pki" >/dev/null
  "$binary" apply "$plan" --render-dir "$work/render" --binaries "$binaries" \
    --state-dir "$work/state" --lab --wait 180 >"$work/apply-$profile.log" 2>&1 ||
    { echo "apply failed ($profile): $(tail -3 "$work/apply-$profile.log")" >&2; return 1; }
}
