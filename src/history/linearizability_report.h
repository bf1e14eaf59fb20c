// The verify-history report: the verdict of check_linearizability for people (text) and for
// machines (JSON, schema in docs/history.md). Pure functions of the history and the result.
#pragma once

#include <string>

#include "history/history.h"
#include "history/linearizability.h"
#include "util/terminal.h"

namespace zerospof::history {

std::string render_text(const History& history, const CheckResult& result,
                        const util::Style& style);

std::string render_json(const History& history, const CheckResult& result);

}  // namespace zerospof::history
