// The verbs of the zerospof binary. Each register_* adds one CLI11 subcommand whose callback
// makes a single call into its module, prints the result and stores the process exit code in
// `exit_code` (the codes are documented in README.md).
#pragma once

#include <CLI/CLI.hpp>

namespace zerospof::cli {

void register_init(CLI::App& app, int& exit_code);
void register_check(CLI::App& app, int& exit_code);
void register_verify_history(CLI::App& app, int& exit_code);
void register_lab(CLI::App& app, int& exit_code);
void register_fetch(CLI::App& app, int& exit_code);
void register_apply(CLI::App& app, int& exit_code);
void register_render(CLI::App& app, int& exit_code);
void register_drill(CLI::App& app, int& exit_code);
void register_status(CLI::App& app, int& exit_code);
void register_audit(CLI::App& app, int& exit_code);
// Registered last: it describes every verb registered before it.
void register_completion(CLI::App& app, int& exit_code);

}  // namespace zerospof::cli
