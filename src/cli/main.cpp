#include <cstdio>

#include "cli/commands.h"
#include "cli/help_formats.h"

int main(int argc, char** argv) {
  CLI::App app{
      "zerospof: build highly available Kubernetes clusters and prove they have no single point "
      "of failure"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "zerospof " ZEROSPOF_VERSION);
  int exit_code = 0;
  zerospof::cli::register_init(app, exit_code);
  zerospof::cli::register_check(app, exit_code);
  zerospof::cli::register_verify_history(app, exit_code);
  zerospof::cli::register_lab(app, exit_code);
  zerospof::cli::register_fetch(app, exit_code);
  zerospof::cli::register_apply(app, exit_code);
  zerospof::cli::register_render(app, exit_code);
  zerospof::cli::register_drill(app, exit_code);
  zerospof::cli::register_status(app, exit_code);
  zerospof::cli::register_audit(app, exit_code);
  zerospof::cli::register_completion(app, exit_code);
  app.footer(zerospof::cli::exit_codes_text());
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? 0 : 2;  // usage errors share exit 2 with every other invalid input
  }
  return exit_code;
}
