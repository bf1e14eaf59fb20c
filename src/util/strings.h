// Splitting text at a separator, the one way every module does it: each separator ends a part,
// so "a,b," is {"a", "b", ""} (a trailing separator leaves an empty last part, which callers that
// validate input need to see) and "" is {}.
#pragma once

#include <string>
#include <vector>

namespace zerospof::util {

std::vector<std::string> split(const std::string& text, char separator);

}  // namespace zerospof::util
