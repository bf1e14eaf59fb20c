#include "cli/help_formats.h"

#include <fmt/format.h>

#include <functional>
#include <vector>

namespace zerospof::cli {

namespace {

// One verb of the tree and the words that reach it ("zerospof lab up").
struct Verb {
  const CLI::App* app;
  std::string path;
};

bool shown(const CLI::App* app) { return !app->get_group().empty(); }

std::vector<const CLI::App*> shown_subcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* sub) { return shown(sub); });
}

// Depth first, the root first, in the order the verbs were registered.
std::vector<Verb> verbs_of(const CLI::App& root) {
  std::vector<Verb> verbs;
  std::function<void(const CLI::App*, const std::string&)> visit = [&](const CLI::App* app,
                                                                       const std::string& path) {
    verbs.push_back({app, path});
    for (const CLI::App* sub : shown_subcommands(*app)) visit(sub, path + " " + sub->get_name());
  };
  visit(&root, "zerospof");
  return verbs;
}

std::vector<const CLI::Option*> flags_of(const CLI::App& app) {
  return app.get_options([](const CLI::Option* option) {
    return !option->get_group().empty() && !option->get_positional();
  });
}

bool takes_positionals(const CLI::App& app) {
  return !app.get_options([](const CLI::Option* option) { return option->get_positional(); })
              .empty();
}

std::vector<std::string> names_of(const CLI::Option& option) {
  std::vector<std::string> names;
  for (const auto& name : option.get_snames()) names.push_back("-" + name);
  for (const auto& name : option.get_lnames()) names.push_back("--" + name);
  return names;
}

bool takes_value(const CLI::Option& option) { return option.get_type_size_max() > 0; }

// Inside a zsh single-quoted _arguments spec: [ ] : \ are special, ' ends the quote.
std::string zsh_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
      continue;
    }
    if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// roff: a backslash is an escape, and a line starting with . or ' is a request.
std::string roff_escaped(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
    line_start = c == '\n';
  }
  return out;
}

struct ExitCode {
  int code;
  const char* meaning;
};

constexpr ExitCode kExitCodes[] = {
    {0,
     "success: what was asked holds (the plan survives every scenario, the drill passed, the "
     "cluster is healthy)"},
    {1,
     "a finding: a scenario takes a service down, a drill scenario failed, the cluster is "
     "degraded"},
    {2,
     "invalid input: a plan, manifest or history error (file:line:col), or a bad command "
     "line"},
    {3, "undecided: a bounded wait ran out before an answer"},
    {4,
     "the environment failed: a file could not be read or written, a program is missing, "
     "nothing answered"},
    {130,
     "stopped by the operator with Ctrl-C (143: SIGTERM, 129: a hang-up), by the shells' "
     "convention: a drill healed the fault in place and wrote the reports with what ran"},
};

std::string exit_status_roff() {
  std::string out;
  for (const ExitCode& code : kExitCodes)
    out += fmt::format(".TP\n.B {}\n{}\n", code.code, roff_escaped(code.meaning));
  return out;
}

// The part both completion scripts share (bash and zsh read it alike): walk the words before the
// one being completed, keeping in $verb_path the verbs they name ("zerospof lab up"); a flag's
// value or a file name is not a verb and leaves it. Then the case of that verb runs.
std::string dispatch_on_verb(const std::vector<Verb>& verbs, const CLI::App& root,
                             const std::string& loop, const std::string& word,
                             const std::string& cases) {
  std::string nested;
  for (const Verb& verb : verbs)
    if (verb.app != &root)
      nested += fmt::format("      (\"{}\") verb_path=\"$verb_path $word\" ;;\n", verb.path);
  return fmt::format(
      "  {}; do\n"
      "    word=\"{}\"\n"
      "    case \"$verb_path $word\" in\n"
      "{}"
      "    esac\n"
      "  done\n"
      "  case \"$verb_path\" in\n"
      "{}"
      "  esac\n",
      loop, word, nested, cases);
}

}  // namespace

std::string exit_codes_text() {
  std::string out = "Exit codes:\n";
  for (const ExitCode& code : kExitCodes) out += fmt::format("  {}  {}\n", code.code, code.meaning);
  return out;
}

std::string bash_completion(const CLI::App& app) {
  std::vector<Verb> verbs = verbs_of(app);
  std::string cases;
  for (const Verb& verb : verbs) {
    std::string choices;
    for (const CLI::App* sub : shown_subcommands(*verb.app)) choices += sub->get_name() + " ";
    for (const CLI::Option* option : flags_of(*verb.app))
      for (const auto& name : names_of(*option)) choices += name + " ";
    if (!choices.empty()) choices.pop_back();
    cases += fmt::format("    (\"{}\") words=\"{}\"; files={} ;;\n", verb.path, choices,
                         takes_positionals(*verb.app) ? 1 : 0);
  }
  return fmt::format(
      "# bash completion for zerospof, made by `zerospof completion bash` (the binary's own verbs\n"
      "# and flags). Load it with: source <(zerospof completion bash)\n"
      "_zerospof() {{\n"
      "  local cur=\"${{COMP_WORDS[COMP_CWORD]}}\" verb_path=zerospof word i words=\"\" files=0\n"
      "{}"
      "  if [[ $cur == -* || $files == 0 ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
      "  else\n"
      "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\") $(compgen -f -- \"$cur\"))\n"
      "  fi\n"
      "}}\n"
      "complete -o filenames -F _zerospof zerospof\n",
      dispatch_on_verb(verbs, app, "for ((i = 1; i < COMP_CWORD; i++))", "${COMP_WORDS[i]}",
                       cases));
}

std::string zsh_completion(const CLI::App& app) {
  std::vector<Verb> verbs = verbs_of(app);
  std::string cases;
  for (const Verb& verb : verbs) {
    std::string body;
    auto subcommands = shown_subcommands(*verb.app);
    if (!subcommands.empty()) {
      body += "      local -a verbs=(\n";
      for (const CLI::App* sub : subcommands)
        body += fmt::format("        '{}:{}'\n", zsh_escaped(sub->get_name()),
                            zsh_escaped(sub->get_description()));
      body += "      )\n";
    }
    body += "      _arguments -s";
    for (const CLI::Option* option : flags_of(*verb.app)) {
      std::vector<std::string> names = names_of(*option);
      std::string description = zsh_escaped(option->get_description());
      std::string value = takes_value(*option) ? ":value:_files" : "";
      for (const auto& name : names)
        body += fmt::format(" \\\n        '{}[{}]{}'", name, description, value);
    }
    if (!subcommands.empty())
      body += " \\\n        '1: :_describe verb verbs' '*:: :->rest'";
    else if (takes_positionals(*verb.app))
      body += " \\\n        '*:file:_files'";
    body += "\n";
    cases += fmt::format("    (\"{}\")\n{}      ;;\n", verb.path, body);
  }
  return fmt::format(
      "#compdef zerospof\n"
      "# zsh completion for zerospof, made by `zerospof completion zsh` (the binary's own verbs\n"
      "# and flags). Install it as _zerospof in a directory of $fpath.\n"
      "_zerospof() {{\n"
      "  local verb_path=zerospof word i\n"
      "{}"
      "}}\n"
      "_zerospof \"$@\"\n",
      dispatch_on_verb(verbs, app, "for ((i = 2; i < CURRENT; i++))", "${words[i]}", cases));
}

std::string manual_page(const CLI::App& app) {
  std::vector<Verb> verbs = verbs_of(app);
  std::string synopsis, sections;
  for (const Verb& verb : verbs) {
    if (verb.app == &app) continue;
    if (shown_subcommands(*verb.app).empty())
      synopsis += fmt::format(".br\n\\fB{}\\fR [\\fIOPTIONS\\fR]\n", roff_escaped(verb.path));
    std::string parent = verb.path.substr(0, verb.path.rfind(' '));
    sections += fmt::format(".SS {}\n{}\n.PP\n.nf\n{}.fi\n", roff_escaped(verb.path),
                            roff_escaped(verb.app->get_description()),
                            roff_escaped(verb.app->help(parent)));
  }
  return fmt::format(
      ".\\\" zerospof(1), made by `zerospof manual` from the same text as --help.\n"
      ".TH ZEROSPOF 1 \"\" \"zerospof\" \"User Commands\"\n"
      ".SH NAME\n"
      "zerospof \\- {}\n"
      ".SH SYNOPSIS\n"
      "{}"
      ".SH DESCRIPTION\n"
      "zerospof writes, applies and checks the files of a highly available Kubernetes cluster\n"
      "from one plan, and proves the cluster has no single point of failure: statically\n"
      "(\\fBcheck\\fR), on the live cluster (\\fBstatus\\fR, \\fBaudit\\fR) and by failing it on\n"
      "purpose (\\fBdrill\\fR). Text for people (colour only on a terminal), \\fB\\-o json\\fR "
      "for\n"
      "machines.\n"
      ".SH COMMANDS\n"
      "{}"
      ".SH EXIT STATUS\n"
      "{}"
      ".SH ENVIRONMENT\n"
      ".TP\n.B NO_COLOR\nWhen set, no colour, even on a terminal.\n"
      ".TP\n.B XDG_DATA_HOME\nWhere the PKI of each cluster is kept unless \\fB\\-\\-pki\\-dir\\fR "
      "says otherwise\n(default \\fI~/.local/share\\fR).\n"
      ".SH FILES\n"
      ".TP\n.I $XDG_DATA_HOME/zerospof/CLUSTER/pki\nThe certificate authorities and every issued "
      "key (directory 0700, keys 0600).\n"
      ".TP\n.I /var/lib/zerospof/lab\nThe lab's hosts and its plan, \\fIlab.yaml\\fR.\n"
      ".SH SEE ALSO\n"
      "\\fBssh\\fR(1), \\fBsystemd-nspawn\\fR(1), \\fBetcd\\fR, \\fBkube-apiserver\\fR\n",
      roff_escaped(app.get_description().substr(app.get_description().find(": ") + 2)), synopsis,
      sections, exit_status_roff());
}

}  // namespace zerospof::cli
