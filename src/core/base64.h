// Standard base64 (RFC 4648 §4, with '=' padding): what a data: URI carries in a self-contained
// HTML page (report/html_report.h).
#pragma once
#include <string>

namespace egsde {

std::string base64_encode(const std::string& bytes);

}  // namespace egsde
