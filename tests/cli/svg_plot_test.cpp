// The SVG charts of the report and the analysis commands: a footnote wider than its chart is wrapped into lines
// that fit (at the 11 px font's ~6 px a character), every word kept in order, and text is XML-escaped.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "apps/svg_plot.hpp"

namespace visalign {
namespace {

apps::CategoryChart bar_chart(const std::string& footnote) {
  apps::CategoryChart chart;
  chart.title = "sub-01";
  chart.categories = {"V1", "V2", "LO"};
  chart.series = {{"R(RE-AN)", "", {0.1, 0.2, 0.3}, {}, {}, {}}, {"R(RE-AI)", "", {0.7, 0.8, 0.9}, {}, {}, {"*", "*", "*"}}};
  chart.width = 420;
  chart.footnote = footnote;
  return chart;
}

/// The texts of the chart's footnote lines (its 11 px grey text elements), top to bottom.
std::vector<std::string> footnote_lines(const std::string& svg) {
  std::vector<std::string> lines;
  const std::regex line(R"re(<text[^>]*font-size="11" fill="#555">([^<]*)</text>)re");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), line); it != std::sregex_iterator(); ++it) lines.push_back((*it)[1]);
  return lines;
}

double svg_width(const std::string& svg) {
  std::smatch found;
  EXPECT_TRUE(std::regex_search(svg, found, std::regex(R"re(<svg[^>]* width="([0-9.]+)")re")));
  return std::stod(found[1]);
}

TEST(SvgCategoryChart, LongFootnoteIsWrappedToTheChartsWidth) {
  const std::string footnote =
      "error bars: the width of the 68% vertex-bootstrap interval, centred on the value; * permutation p < 0.05 and more words to wrap";
  const std::string svg = apps::render_category_chart(bar_chart(footnote));
  const std::vector<std::string> lines = footnote_lines(svg);
  ASSERT_GE(lines.size(), 2u) << svg;
  const double width = svg_width(svg);
  std::string joined;
  for (const std::string& line : lines) {
    EXPECT_LE(6.0 * static_cast<double>(line.size()), width - 16) << line;
    joined += (joined.empty() ? "" : " ") + line;
  }
  EXPECT_EQ(joined, apps::xml_escape(footnote));  // every word, in order, escaped
}

TEST(SvgCategoryChart, ShortFootnoteIsOneLineAndNoFootnoteNone) {
  EXPECT_EQ(footnote_lines(apps::render_category_chart(bar_chart("* p < 0.05"))), std::vector<std::string>{"* p &lt; 0.05"});
  EXPECT_TRUE(footnote_lines(apps::render_category_chart(bar_chart(""))).empty());
}

TEST(SvgCategoryChart, WrappingTheFootnoteGrowsTheChartNotItsPlot) {
  const std::string one_line = apps::render_category_chart(bar_chart("short"));
  const std::string three_lines = apps::render_category_chart(bar_chart(std::string(60, 'a') + " " + std::string(60, 'b') + " " + std::string(60, 'c')));
  auto height = [](const std::string& svg) {
    std::smatch found;
    EXPECT_TRUE(std::regex_search(svg, found, std::regex(R"re(<svg[^>]* height="([0-9.]+)")re")));
    return std::stod(found[1]);
  };
  auto frame = [](const std::string& svg) {  // the plot's frame: <rect x= y= width= height= fill="none" ...>
    std::smatch found;
    EXPECT_TRUE(std::regex_search(svg, found, std::regex(R"re(<rect x="[0-9.]+" y="[0-9.]+" width="[0-9.]+" height="([0-9.]+)" fill="none")re")));
    return std::stod(found[1]);
  };
  EXPECT_EQ(footnote_lines(three_lines).size(), 3u);
  EXPECT_DOUBLE_EQ(height(three_lines) - height(one_line), 28.0);  // two more 14 px lines
  EXPECT_DOUBLE_EQ(frame(three_lines), frame(one_line));
}

}  // namespace
}  // namespace visalign
