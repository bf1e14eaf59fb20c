// The command line's own description, in the formats a Linux install carries beside the binary:
// a bash and a zsh completion script and a man page. All three are made from the CLI11 tree the
// binary parses with, so they cannot disagree with it: the man page's sections for the verbs are
// their `--help` text, word for word.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace zerospof::cli {

// `source <(zerospof completion bash)`: verbs, nested verbs and each verb's flags; file names
// where a verb takes a file.
std::string bash_completion(const CLI::App& app);

// The exit codes every verb shares (README.md's table), as `--help` prints them below the verbs.
std::string exit_codes_text();

// A `#compdef zerospof` function for zsh's completion system (fpath).
std::string zsh_completion(const CLI::App& app);

// zerospof(1) in man(7) markup: NAME, SYNOPSIS, DESCRIPTION, one subsection per verb with its
// --help text, EXIT STATUS, ENVIRONMENT, FILES.
std::string manual_page(const CLI::App& app);

}  // namespace zerospof::cli
