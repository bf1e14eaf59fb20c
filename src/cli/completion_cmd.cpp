// `zerospof completion bash|zsh` and `zerospof manual`: the completion scripts and the man page,
// made from the verbs registered before them (help_formats.h). The package's build runs them,
// so what it installs is what this binary parses. `manual` is hidden: people read the result
// with `man zerospof`.
#include <memory>

#include "cli/commands.h"
#include "cli/help_formats.h"
#include "cli/output.h"

namespace zerospof::cli {

void register_completion(CLI::App& app, int& exit_code) {
  auto shell = std::make_shared<std::string>();
  CLI::App* completion =
      app.add_subcommand("completion",
                         "Print the shell completion script for bash or zsh (source <(zerospof "
                         "completion bash))");
  completion->add_option("shell", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  completion->callback([&app, shell, &exit_code] {
    print(*shell == "bash" ? bash_completion(app) : zsh_completion(app));
    exit_code = 0;
  });

  CLI::App* manual = app.add_subcommand("manual", "Print zerospof(1) in man(7) markup");
  manual->group("");
  manual->callback([&app, &exit_code] {
    print(manual_page(app));
    exit_code = 0;
  });
}

}  // namespace zerospof::cli
