#include "apps/study_group.hpp"

#include <cmath>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "apps/similarity_table.hpp"
#include "fmri/tsv_table.hpp"
#include "rsa/statistics.hpp"
#include "surface/atomic_output.hpp"

namespace visalign::apps {

namespace {


double number(const std::string& text) {
  try {
    return std::stod(text);
  } catch (const std::exception&) {
    return std::nan("");
  }
}

double mean(const std::vector<double>& values) {
  double sum = 0;
  for (const double v : values) sum += v;
  return values.empty() ? std::nan("") : sum / static_cast<double>(values.size());
}

/// Paired t-test cells (t, df, p) or n/a when fewer than 2 pairs.
std::vector<std::string> paired_cells(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() < 2) return {"n/a", "n/a", "n/a"};
  const rsa::PairedTTestResult test = rsa::paired_t_test(a, b);
  return {table_number(test.t), table_number(test.degrees_of_freedom), table_number(test.p)};
}

void write_table(const fmri::TsvTable& table, const std::filesystem::path& file, const nlohmann::json& description) {
  fmri::write_tsv(table, file);
  surface::write_bytes_atomically(file.string() + ".json", description.dump(2) + "\n");
}

}  // namespace

void write_group_statistics(const StudyLayout& layout, const std::filesystem::path& folder) {
  const std::vector<std::string>& rois = layout.config.rois;
  nlohmann::json subjects = nlohmann::json::array();
  for (const StudySubjectLayout& subject : layout.subjects) subjects.push_back(subject.name);

  // ROI RSA: one pair (RE-AN, RE-AI) per subject and presentation.
  {
    std::map<std::string, std::vector<double>> an, ai;
    for (const StudySubjectLayout& subject : layout.subjects) {
      for (const auto& row : fmri::read_tsv_records(subject.roi_rsa / (subject.name + ".roi_rsa.tsv"))) {
        if (row.at("hemispheres") != "both" || row.at("presentation") == "mean") continue;
        if (row.at("measure") == "RE-AN") an[row.at("roi")].push_back(number(row.at("value")));
        if (row.at("measure") == "RE-AI") ai[row.at("roi")].push_back(number(row.at("value")));
      }
    }
    fmri::TsvTable table;
    table.columns = {"roi", "subjects", "pairs", "mean_RE-AN", "mean_RE-AI", "mean_difference", "t", "df", "p"};
    for (const std::string& roi : rois) {
      const std::vector<double>& a = ai[roi];
      const std::vector<double>& b = an[roi];
      std::vector<std::string> row = {roi, std::to_string(layout.subjects.size()), std::to_string(std::min(a.size(), b.size())),
                                      table_number(mean(b)), table_number(mean(a)), table_number(mean(a) - mean(b))};
      const std::vector<std::string> test = a.size() == b.size() ? paired_cells(a, b) : std::vector<std::string>{"n/a", "n/a", "n/a"};
      row.insert(row.end(), test.begin(), test.end());
      table.rows.push_back(std::move(row));
    }
    write_table(table, folder / "group_roi_rsa.tsv",
                {{"description", "per ROI: R(RE-AN) and R(RE-AI) over subjects x presentations; paired t-test of RE-AI against RE-AN"},
                 {"subjects", subjects}});
  }

  if (!layout.config.encoding.enabled) return;
  // Encoding: one pair (AI, AN) per subject and presentation, per ROI and layer.
  {
    std::map<std::pair<std::string, std::string>, std::vector<double>> an, ai;
    std::map<std::string, std::string> layer_index;
    for (const StudySubjectLayout& subject : layout.subjects) {
      for (const auto& row : fmri::read_tsv_records(subject.encoding / (subject.name + ".encoding.tsv"))) {
        if (row.at("responses") == "mean") continue;
        const std::pair<std::string, std::string> key = {row.at("roi"), row.at("layer")};
        layer_index[row.at("layer")] = row.at("layer_index");
        if (row.at("test") == "AN") an[key].push_back(number(row.at("accuracy")));
        if (row.at("test") == "AI") ai[key].push_back(number(row.at("accuracy")));
      }
    }
    fmri::TsvTable table;
    table.columns = {"roi", "layer", "layer_index", "pairs", "mean_AN", "mean_AI", "mean_difference", "t", "df", "p"};
    for (const std::string& roi : rois) {
      for (const std::string& layer : layout.inputs.encoding_layers) {
        const std::vector<double>& a = ai[{roi, layer}];
        const std::vector<double>& b = an[{roi, layer}];
        std::vector<std::string> row = {roi, layer, layer_index[layer], std::to_string(std::min(a.size(), b.size())), table_number(mean(b)),
                                        table_number(mean(a)), table_number(mean(a) - mean(b))};
        const std::vector<std::string> test = a.size() == b.size() ? paired_cells(a, b) : std::vector<std::string>{"n/a", "n/a", "n/a"};
        row.insert(row.end(), test.begin(), test.end());
        table.rows.push_back(std::move(row));
      }
    }
    write_table(table, folder / "group_encoding.tsv",
                {{"description", "per ROI and layer: accuracy of RE-trained encoding models for AN and AI over subjects x presentations; "
                                 "paired t-test of AI against AN"},
                 {"subjects", subjects}});
  }
  // Best layer: the share of vertices per layer, averaged over subjects (responses averaged over presentations).
  {
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<double>> shares;
    for (const StudySubjectLayout& subject : layout.subjects) {
      for (const auto& row : fmri::read_tsv_records(subject.encoding / (subject.name + ".best_layer.tsv"))) {
        if (row.at("responses") != "mean") continue;
        shares[{row.at("roi"), row.at("test"), row.at("layer")}].push_back(number(row.at("proportion")));
      }
    }
    fmri::TsvTable table;
    table.columns = {"roi", "test", "layer", "subjects", "mean_proportion"};
    for (const std::string& roi : rois) {
      for (const char* test : {"AN", "AI"}) {
        for (const std::string& layer : layout.inputs.encoding_layers) {
          const std::vector<double>& values = shares[{roi, test, layer}];
          table.rows.push_back({roi, test, layer, std::to_string(values.size()), table_number(mean(values))});
        }
      }
    }
    write_table(table, folder / "group_best_layer.tsv",
                {{"description", "per ROI, test images and layer: the share of the ROI's vertices best predicted by the layer, mean over subjects"},
                 {"subjects", subjects}});
  }
}

}  // namespace visalign::apps
