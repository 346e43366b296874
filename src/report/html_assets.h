// The style sheet and the image browser's script of report/html_report.h's page, inlined into
// it (the page loads nothing from elsewhere).
#pragma once

namespace egsde::report {

const char* html_style();
const char* html_script();

}  // namespace egsde::report
