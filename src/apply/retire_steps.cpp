// retire: what an earlier apply installed on a host and the current bundle no longer has. A unit
// apply started (its stamp in kAppliedDir) that the host's files no longer name is stopped and
// disabled; a file an earlier apply wrote (the list kAppliedDir/files) that the bundle no longer
// has is removed. Without it, switching the endpoint from vip to local-proxy left keepalived
// holding the old VIP, and switching the tuning to kubeadm-guide left the fitness service running.
#include <fmt/format.h>

#include <algorithm>

#include "apply/steps.h"
#include "render/layout.h"

namespace zerospof::apply {

namespace {

namespace layout = render::layout;

}  // namespace

std::string retire_script(const std::vector<std::string>& units,
                          const std::vector<std::string>& files, bool act) {
  std::vector<std::string> sorted = files;
  std::sort(sorted.begin(), sorted.end());
  // The stale units and files, then (act) what to do with them; (probe) whether there are any and
  // whether the list of files is the current one.
  std::string find = fmt::format(
      "d={dir}; keep_units=({units}); keep_files=({files}); "
      "stale_units=(); for s in \"$d\"/*.service; do [ -e \"$s\" ] || continue; "
      "u=${{s##*/}}; k=0; for w in \"${{keep_units[@]}}\"; do [ \"$w\" = \"$u\" ] && k=1; done; "
      "[ $k = 1 ] || stale_units+=(\"$u\"); done; "
      "stale_files=(); if [ -f \"$d/files\" ]; then while IFS= read -r f; do k=0; "
      "for w in \"${{keep_files[@]}}\"; do [ \"$w\" = \"$f\" ] && k=1; done; "
      "[ $k = 1 ] || [ -z \"$f\" ] || stale_files+=(\"$f\"); done < \"$d/files\"; fi; "
      "listed=$(printf '%s\\n' \"${{keep_files[@]}}\"); ",
      fmt::arg("dir", kAppliedDir), fmt::arg("units", transport::Command::argv(units).script),
      fmt::arg("files", transport::Command::argv(sorted).script));
  if (!act)
    return "bash -c " + transport::shell_quote(
                            find +
                            "[ ${#stale_units[@]} = 0 ] && [ ${#stale_files[@]} = 0 ] && "
                            "[ -f \"$d/files\" ] && [ \"$(cat \"$d/files\")\" = \"$listed\" ]");
  return "bash -c " +
         transport::shell_quote(
             find +
             fmt::format(
                 // An etcd member leaves its cluster only by `member remove`, which changes the
                 // quorum: never here. nftables' stop flushes every table (the CNI's too): never.
                 "for u in \"${{stale_units[@]}}\"; do case \"$u\" in {etcd}|{nftables}) "
                 "echo \"$u is no longer in the plan of this host; retire it by hand ({why})\" "
                 ">&2; "
                 "exit 1;; esac; done; "
                 // A unit whose file is gone already (purged by hand) only loses its stamp.
                 "for u in \"${{stale_units[@]}}\"; do "
                 "if [ \"$(systemctl show -p LoadState --value \"$u\")\" != not-found ]; then "
                 // A stop that waits on systemd's job queue must not use up the step's
                 // whole timeout unexplained: bounded, then the unit is killed (it is being
                 // retired), and what systemd was busy with is said.
                 "if ! timeout 20 systemctl stop \"$u\"; then "
                 "echo \"$u did not stop within 20 s; killing it; systemd's jobs:\" >&2; "
                 "systemctl list-jobs --no-pager >&2; "
                 "timeout 10 systemctl kill --signal=SIGKILL \"$u\"; sleep 1; fi; "
                 "timeout 20 systemctl disable --quiet \"$u\" 2>/dev/null; "
                 "if systemctl is-active --quiet \"$u\"; then echo \"$u did not stop\" >&2; exit "
                 "1; fi; "
                 "fi; rm -f \"$d/$u\"; echo \"retired $u\"; done; "
                 "for f in \"${{stale_files[@]}}\"; do rm -f \"$f\"; echo \"removed $f\"; done; "
                 "systemctl daemon-reload; "
                 "printf '%s\\n' \"${{keep_files[@]}}\" > \"$d/files.new\" && mv -f "
                 "\"$d/files.new\" "
                 "\"$d/files\"",
                 fmt::arg("etcd", layout::kEtcdUnit), fmt::arg("nftables", layout::kNftablesUnit),
                 fmt::arg("why",
                          "etcdctl member remove first for etcd; nftables keeps the host's "
                          "firewall")));
}

util::Result<std::string> add_retire_step(StepGraph& graph, const std::string& host,
                                          const std::vector<std::string>& units,
                                          const std::vector<std::string>& files, Ids deps) {
  return add_script_step(graph, {.id = "retire@" + host,
                                 .host = host,
                                 .summary = "stop and remove what the bundle no longer has",
                                 .probe = retire_script(units, files, false),
                                 .action = retire_script(units, files, true),
                                 .deps = std::move(deps)});
}

}  // namespace zerospof::apply
