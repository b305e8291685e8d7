// visalign encoding fit: the voxel-encoding analysis of the core study (figure 6 and supplementary
// figure S1). Per subject, ROI and CNN layer, sparse encoding models (ROMP by default) are fitted on
// the RE images' responses of the ROI's most reliable vertices and predict the AN and AI responses;
// accuracy with a label-permutation p and an 80%-of-vertices subsample interval; the best layer per
// vertex, the proportion of vertices per layer and ROI, and the paired t-tests of figure S1.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "apps/commands.hpp"
#include "apps/layer_activations.hpp"
#include "apps/option_lists.hpp"
#include "apps/similarity_table.hpp"
#include "apps/subject_data.hpp"
#include "encoding/best_layer.hpp"
#include "encoding/voxel_encoding.hpp"
#include "fmri/tsv_table.hpp"
#include "rsa/statistics.hpp"

namespace visalign::apps {

namespace {

struct EncodingFitOptions {
  SubjectInput input;
  std::string layers;
  std::string rois = "V1,V2,V3,V4,LO";
  int per_hemisphere = 100;
  std::string method = "romp";
  int sparsity = 0;
  std::string sparsity_candidates = "1,2,3,4,5,6,8,10";
  bool no_constant_column = false;
  std::string training_type = "RE";
  std::string test_types = "AN,AI";
  int permutations = 1000;
  int subsamples = 1000;
  double subsample_fraction = 0.8;
  std::string centering = "per-vertex";
  std::string out;
};

void declare(EncodingFitOptions& options, CommandDeclaration& declaration) {
  declaration.options.add_options()
      ("layers", po::value(&options.layers)->required()->value_name("JSON"),
       "CNN layer activations, as for 'rsa layers': {\"images\": \"images.tsv\", \"layers\": [{\"name\": ..., \"activations\": "
       "\"x.npy\"}, ...]} in network order; each NPY images x units, one row per row of images.tsv; the images must be the "
       "subject's (same image_id and image_type)")
      ("rois", po::value(&options.rois)->default_value(options.rois), "comma-separated ROI names of the manifest")
      ("per-hemisphere", po::value(&options.per_hemisphere)->default_value(options.per_hemisphere),
       "most reliable vertices per ROI and hemisphere (vertex selection as 'rsa select', on the RE images)")
      ("method", po::value(&options.method)->default_value(options.method), "sparse regression: romp (the study) or omp")
      ("sparsity", po::value(&options.sparsity)->default_value(options.sparsity),
       "fixed sparsity level for every vertex; 0: chosen per vertex by leave-one-out cross-validation on the training images")
      ("sparsity-candidates", po::value(&options.sparsity_candidates)->default_value(options.sparsity_candidates),
       "comma-separated sparsity levels tried by the leave-one-out cross-validation")
      ("no-constant-column", po::bool_switch(&options.no_constant_column),
       "leave out the constant column of the study's model (X = images x (units + 1))")
      ("train", po::value(&options.training_type)->default_value(options.training_type), "image type the models are fitted on")
      ("test", po::value(&options.test_types)->default_value(options.test_types), "comma-separated image types to predict")
      ("permutations", po::value(&options.permutations)->default_value(options.permutations),
       "image-label permutations for each accuracy's p-value")
      ("subsamples", po::value(&options.subsamples)->default_value(options.subsamples),
       "vertex subsamples (without replacement) for the confidence intervals and the AI-AN comparison")
      ("subsample-fraction", po::value(&options.subsample_fraction)->default_value(options.subsample_fraction),
       "fraction of a ROI's vertices in each subsample")
      ("centering", po::value(&options.centering)->default_value(options.centering),
       "accuracy = Pearson r over vertices and test images of measured vs predicted responses; per-vertex: after removing "
       "each vertex's mean over the test images from both (baselines do not count), none: raw values")
      ("out", po::value(&options.out)->required()->value_name("DIR"),
       "output folder: <subject>.encoding.tsv, <subject>.encoding_models.tsv, <subject>.best_layer.tsv, "
       "encoding_best_layer_tests.tsv (each + .json provenance)");
  declare_subject_input(options.input, declaration);
}

encoding::VoxelEncodingOptions voxel_encoding_options(const EncodingFitOptions& options, std::uint64_t seed) {
  encoding::VoxelEncodingOptions result;
  result.pursuit.method = encoding::parse_pursuit_method(options.method);
  result.pursuit.constant_column = !options.no_constant_column;
  if (options.sparsity < 0) throw std::invalid_argument("--sparsity: expected 0 (cross-validated) or a positive level, found " + std::to_string(options.sparsity));
  if (options.sparsity > 0) {
    result.pursuit.sparsity = options.sparsity;
  } else {
    for (const std::string& item : split_option_list(options.sparsity_candidates, "sparsity-candidates")) {
      int level = 0;
      try {
        std::size_t used = 0;
        level = std::stoi(item, &used);
        if (used != item.size()) level = 0;
      } catch (const std::exception&) {
        level = 0;
      }
      if (level < 1) throw std::invalid_argument("--sparsity-candidates: expected positive integers, found '" + item + "'");
      result.sparsity_candidates.push_back(level);
    }
    result.pursuit.sparsity = *std::max_element(result.sparsity_candidates.begin(), result.sparsity_candidates.end());
  }
  if (options.permutations < 0) throw std::invalid_argument("--permutations: expected >= 0, found " + std::to_string(options.permutations));
  if (options.subsamples < 0) throw std::invalid_argument("--subsamples: expected >= 0, found " + std::to_string(options.subsamples));
  if (!(options.subsample_fraction > 0 && options.subsample_fraction <= 1)) {
    throw std::invalid_argument("--subsample-fraction: expected a number in (0, 1], found " + std::to_string(options.subsample_fraction));
  }
  result.accuracy.permutations = options.permutations;
  result.accuracy.subsamples = options.subsamples;
  result.accuracy.subsample_fraction = options.subsample_fraction;
  result.accuracy.seed = seed;
  if (options.centering == "per-vertex") {
    result.accuracy.centering = encoding::AccuracyCentering::per_target;
  } else if (options.centering == "none") {
    result.accuracy.centering = encoding::AccuracyCentering::none;
  } else {
    throw std::invalid_argument("--centering: expected per-vertex or none, found '" + options.centering + "'");
  }
  return result;
}

/// Rows of a layer for one image type, in the subject's image order.
Eigen::MatrixXf layer_features(const LayerList& layers, std::size_t layer, const std::string& type, const std::vector<std::string>& image_ids) {
  const std::vector<Eigen::Index> rows = layer_rows_of(layers, type, image_ids);
  const Eigen::MatrixXf& activations = layers.layers[layer].activations;
  Eigen::MatrixXf features(static_cast<Eigen::Index>(rows.size()), activations.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) features.row(static_cast<Eigen::Index>(i)) = activations.row(rows[i]);
  return features;
}

/// The response sets a model is fitted on: the mean over presentations ("mean") and each presentation.
std::vector<std::pair<std::string, rsa::TypePatterns>> response_sets(const std::vector<rsa::TypePatterns>& presentations,
                                                                      const std::vector<int>& numbers) {
  std::vector<std::pair<std::string, rsa::TypePatterns>> sets;
  rsa::TypePatterns mean;
  for (const auto& [type, matrix] : presentations.front()) {
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(matrix.rows(), matrix.cols());
    for (const auto& presentation : presentations) sum += presentation.at(type);
    mean[type] = sum / static_cast<double>(presentations.size());
  }
  sets.emplace_back("mean", std::move(mean));
  if (presentations.size() > 1) {
    for (std::size_t p = 0; p < presentations.size(); ++p) sets.emplace_back(std::to_string(numbers[p]), presentations[p]);
  }
  return sets;
}

std::string join_numbers(const std::vector<std::int32_t>& values, int offset) {
  std::string text;
  for (std::size_t i = 0; i < values.size(); ++i) text += (i ? "," : "") + std::to_string(values[i] + offset);
  return text;
}

/// One proportion measurement of figure S1: a subject's presentation, ROI and test type.
struct ProportionMeasurement {
  std::string subject, presentation, roi, test;
  double low = NAN, high = NAN;  // mean proportion over the low-level and over the high-level layers
};

void add_t_test_row(fmri::TsvTable& table, const std::string& test, const std::string& comparison, const std::string& scope,
                    const std::vector<double>& first, const std::vector<double>& second) {
  std::vector<std::string> row = {test, comparison, scope, std::to_string(first.size())};
  if (first.size() >= 2) {
    const rsa::PairedTTestResult result = rsa::paired_t_test(first, second);
    for (const double value : {result.mean_difference, result.t, result.degrees_of_freedom, result.p}) row.push_back(table_number(value));
  } else {
    for (int i = 0; i < 4; ++i) row.push_back("n/a");  // a paired t-test needs at least 2 pairs
  }
  table.rows.push_back(row);
}

void run(const EncodingFitOptions& options, RunContext& context) {
  const encoding::VoxelEncodingOptions model_options = voxel_encoding_options(options, context.global().seed);
  const std::vector<std::string> test_types = split_option_list(options.test_types, "test");
  const LayerList layers = read_layer_list(options.layers, context);
  std::filesystem::create_directories(options.out);
  context.check_output_location(std::filesystem::path(options.out) / "encoding_best_layer_tests.tsv");
  if (layers.layers.size() < 1) throw std::runtime_error(options.layers + ": no layers");
  const std::vector<std::int32_t> low_layers = encoding::low_level_layers(std::max<std::int32_t>(2, static_cast<std::int32_t>(layers.layers.size())));
  const std::vector<std::int32_t> high_layers = encoding::high_level_layers(std::max<std::int32_t>(2, static_cast<std::int32_t>(layers.layers.size())));
  const bool compare_layer_groups = layers.layers.size() >= 2;

  std::vector<ProportionMeasurement> measurements;
  std::vector<std::string> roi_order;
  for (const std::string& manifest_path : options.input.manifests) {
    const LoadedSubject subject = load_subject(manifest_path, options.input, context);
    const std::vector<HemisphereData>& hemispheres = subject.hemispheres;
    const fmri::Design& design = hemispheres.front().design;
    for (std::size_t h = 1; h < hemispheres.size(); ++h) {
      if (hemispheres[h].design.image_ids() != design.image_ids() || hemispheres[h].design.image_types() != design.image_types()) {
        throw std::runtime_error(manifest_path + ": the hemispheres' designs name different images or types");
      }
    }
    const std::vector<std::string> types = design.image_types();
    for (const std::string& type : test_types) {
      if (std::find(types.begin(), types.end(), type) == types.end() || type == options.training_type) {
        throw std::invalid_argument("--test: image type " + type + " is not a test type of " + manifest_path);
      }
    }
    if (std::find(types.begin(), types.end(), options.training_type) == types.end()) {
      throw std::invalid_argument("--train: image type " + options.training_type + " is not in the design of " + manifest_path);
    }
    // Every layer's rows for every type, checked before any fitting.
    const std::vector<std::string> image_ids = design.image_ids();
    const auto images = static_cast<int>(image_ids.size());
    if (model_options.sparsity_candidates.empty() && model_options.pursuit.sparsity > images) {
      throw std::invalid_argument("--sparsity: expected at most " + std::to_string(images) + " (the " + options.training_type +
                                  " images of " + manifest_path + "), found " + std::to_string(model_options.pursuit.sparsity));
    }
    if (!model_options.sparsity_candidates.empty() && model_options.pursuit.sparsity > images - 1) {
      throw std::invalid_argument("--sparsity-candidates: expected at most " + std::to_string(images - 1) + " (the " +
                                  options.training_type + " images of " + manifest_path + " minus the held-out one), found " +
                                  std::to_string(model_options.pursuit.sparsity));
    }
    std::vector<std::map<std::string, Eigen::MatrixXf>> features(layers.layers.size());
    for (std::size_t l = 0; l < layers.layers.size(); ++l) {
      features[l][options.training_type] = layer_features(layers, l, options.training_type, image_ids);
      for (const std::string& type : test_types) features[l][type] = layer_features(layers, l, type, image_ids);
    }
    const std::vector<std::string> rois = roi_names(options.rois, hemispheres, manifest_path);
    roi_order = rois;
    const auto selections = select_vertices(hemispheres, rois, options.per_hemisphere, options.training_type,
                                            rsa::RdmDistance::correlation, context);

    const std::string& name = subject.manifest.subject;
    fmri::TsvTable accuracy_table, model_table, best_layer_table;
    accuracy_table.columns = {"subject", "roi", "layer", "layer_index", "units", "responses", "test", "vertices", "accuracy",
                              "p", "p_test", "ci95_lower", "ci95_upper", "median_sparsity"};
    model_table.columns = {"subject", "roi", "layer", "responses", "hemisphere", "vertex", "sparsity", "support", "coefficients",
                           "training_residual_norm", "stop"};
    best_layer_table.columns = {"subject", "roi", "responses", "test", "layer", "layer_index", "proportion", "vertices"};
    struct SummaryLine {
      std::string roi, layer;
      std::map<std::string, double> accuracy, p;
      encoding::AccuracyComparison difference;
    };
    std::vector<SummaryLine> summary;

    ProgressBar progress = context.progress(name + " encoding models");
    // Progress in thousandths of a model (ROI x layer x response set): conv1-sized layers take minutes.
    const std::size_t models = rois.size() * layers.layers.size() * (design.presentations().size() > 1 ? design.presentations().size() + 1 : 1);
    std::size_t models_done = 0;
    auto model_progress = [&](std::size_t done, std::size_t total) {
      if (total > 0) progress.update(models_done * 1000 + done * 1000 / total, models * 1000);
    };
    for (const std::string& roi : rois) {
      std::vector<const HemisphereData*> used;
      std::vector<const fmri::SelectedVertices*> selected;
      std::vector<std::pair<std::string, std::int32_t>> vertex_names;
      for (std::size_t h = 0; h < hemispheres.size(); ++h) {
        used.push_back(&hemispheres[h]);
        selected.push_back(&selections[h].selected.at(roi));
        for (const std::int32_t v : selected.back()->vertices) vertex_names.emplace_back(hemispheres[h].files.name, v);
      }
      if (vertex_names.size() < 2) throw std::runtime_error(manifest_path + ": ROI " + roi + " has fewer than 2 selectable vertices");
      const auto sets = response_sets(roi_response_patterns(used, selected), design.presentations());
      // accuracy[set][test]: layers x vertices, for the best layer per vertex.
      std::map<std::string, std::map<std::string, Eigen::MatrixXd>> vertex_accuracy;
      for (std::size_t l = 0; l < layers.layers.size(); ++l) {
        for (const auto& [set_name, patterns] : sets) {
          encoding::VoxelEncodingData data;
          data.training_features = features[l].at(options.training_type);
          data.training_responses = patterns.at(options.training_type);
          for (const std::string& type : test_types) {
            data.test_features[type] = features[l].at(type);
            data.test_responses[type] = patterns.at(type);
          }
          encoding::VoxelEncodingResult result;
          try {
            result = encoding::fit_voxel_encoding(data, model_options, model_progress);
          } catch (const std::invalid_argument& error) {
            throw std::runtime_error(manifest_path + ": ROI " + roi + ", layer " + layers.layers[l].name + ", responses " + set_name +
                                     ": " + error.what());
          }
          ++models_done;
          std::vector<int> sorted_sparsity = result.sparsity;
          std::sort(sorted_sparsity.begin(), sorted_sparsity.end());
          const int median_sparsity = sorted_sparsity[sorted_sparsity.size() / 2];
          const std::vector<std::string> leading = {name, roi, layers.layers[l].name, std::to_string(l + 1),
                                                    std::to_string(layers.layers[l].activations.cols()), set_name};
          for (const std::string& type : test_types) {
            const encoding::AccuracyTest& test = result.accuracy.at(type);
            std::vector<std::string> row = leading;
            for (const std::string& value :
                 {type, std::to_string(vertex_names.size()), table_number(test.accuracy), table_number(test.permutation_p),
                  std::string("permutation"), table_number(test.interval.lower), table_number(test.interval.upper),
                  std::to_string(median_sparsity)}) {
              row.push_back(value);
            }
            accuracy_table.rows.push_back(row);
            auto& matrix = vertex_accuracy[set_name][type];
            if (matrix.size() == 0) matrix.resize(static_cast<Eigen::Index>(layers.layers.size()), static_cast<Eigen::Index>(vertex_names.size()));
            matrix.row(static_cast<Eigen::Index>(l)) = result.vertex_accuracy.at(type).transpose();
          }
          SummaryLine line{roi, layers.layers[l].name, {}, {}, {}};
          if (test_types.size() == 2) {
            // The study's comparison: the second test set (AI) against the first (AN).
            line.difference = encoding::compare_prediction_accuracies(result.accuracy.at(test_types[1]), result.accuracy.at(test_types[0]));
            std::vector<std::string> row = leading;
            for (const std::string& value :
                 {test_types[1] + "-" + test_types[0], std::to_string(vertex_names.size()), table_number(line.difference.difference),
                  table_number(line.difference.one_sided_p), std::string("subsample-difference-one-sided"),
                  table_number(line.difference.interval.lower), table_number(line.difference.interval.upper),
                  std::to_string(median_sparsity)}) {
              row.push_back(value);
            }
            accuracy_table.rows.push_back(row);
          }
          if (set_name == "mean") {
            for (const std::string& type : test_types) {
              line.accuracy[type] = result.accuracy.at(type).accuracy;
              line.p[type] = result.accuracy.at(type).permutation_p;
            }
            summary.push_back(line);
          }
          for (std::size_t v = 0; v < vertex_names.size(); ++v) {
            const encoding::SparseModel& model = result.models[v];
            std::string coefficients;
            for (Eigen::Index i = 0; i < model.coefficients.size(); ++i) coefficients += (i ? "," : "") + table_number(model.coefficients(i));
            // Units are numbered from 0 as in the activation columns; "constant" is the constant column.
            std::string support;
            for (std::size_t i = 0; i < model.support.size(); ++i) {
              support += (i ? "," : "");
              support += model.support[i] == layers.layers[l].activations.cols() ? std::string("constant") : std::to_string(model.support[i]);
            }
            model_table.rows.push_back({name, roi, layers.layers[l].name, set_name, vertex_names[v].first,
                                        std::to_string(vertex_names[v].second), std::to_string(result.sparsity[v]), support,
                                        coefficients, table_number(model.residual_norm), encoding::pursuit_stop_name(model.stop)});
          }
        }
      }
      // Figure S1: the best layer per vertex, per response set and test type.
      for (const auto& [set_name, by_test] : vertex_accuracy) {
        for (const auto& [type, matrix] : by_test) {
          const encoding::BestLayerAssignment assignment = encoding::assign_best_layers(matrix);
          for (std::size_t l = 0; l < layers.layers.size(); ++l) {
            best_layer_table.rows.push_back({name, roi, set_name, type, layers.layers[l].name, std::to_string(l + 1),
                                             table_number(assignment.proportion(static_cast<Eigen::Index>(l))),
                                             std::to_string(assignment.assigned)});
          }
          if (set_name != "mean" || sets.size() == 1) {
            measurements.push_back({name, set_name, roi, type,
                                    compare_layer_groups ? encoding::mean_proportion(assignment, low_layers) : NAN,
                                    compare_layer_groups ? encoding::mean_proportion(assignment, high_layers) : NAN});
          }
        }
      }
    }
    progress.finish();
    const std::filesystem::path folder = options.out;
    const auto accuracy_path = folder / (name + ".encoding.tsv");
    const auto model_path = folder / (name + ".encoding_models.tsv");
    const auto best_layer_path = folder / (name + ".best_layer.tsv");
    fmri::write_tsv(accuracy_table, accuracy_path);
    context.finished_output(accuracy_path);
    fmri::write_tsv(model_table, model_path);
    context.finished_output(model_path);
    fmri::write_tsv(best_layer_table, best_layer_path);
    context.finished_output(best_layer_path);

    std::printf("%-12s %-6s %-12s", "subject", "roi", "layer");
    for (const std::string& type : test_types) std::printf(" %9s %7s", ("r(" + type + ")").c_str(), "p");
    if (test_types.size() == 2) std::printf(" %9s %7s", (test_types[1] + "-" + test_types[0]).c_str(), "p");
    std::printf("\n");
    for (const SummaryLine& line : summary) {
      std::printf("%-12s %-6s %-12s", name.c_str(), line.roi.c_str(), line.layer.c_str());
      for (const std::string& type : test_types) std::printf(" %9.4f %7.4f", line.accuracy.at(type), line.p.at(type));
      if (test_types.size() == 2) std::printf(" %9.4f %7.4f", line.difference.difference, line.difference.one_sided_p);
      std::printf("\n");
    }
  }

  // Figure S1's paired t-tests over the measurements (subjects x presentations): low-level against
  // high-level layers per ROI and over all ROIs; the high-level layers' share in the first ROI
  // against the last (V1 against LO).
  fmri::TsvTable tests;
  tests.columns = {"test", "comparison", "scope", "pairs", "mean_difference", "t", "df", "p"};
  if (compare_layer_groups) {
    const std::string layer_comparison = "layers " + join_numbers(low_layers, 1) + " vs " + join_numbers(high_layers, 1);
    for (const std::string& type : test_types) {
      std::vector<double> all_low, all_high;
      for (const std::string& roi : roi_order) {
        std::vector<double> low, high;
        for (const auto& m : measurements) {
          if (m.test == type && m.roi == roi) {
            low.push_back(m.low);
            high.push_back(m.high);
          }
        }
        add_t_test_row(tests, type, layer_comparison, roi, low, high);
        all_low.insert(all_low.end(), low.begin(), low.end());
        all_high.insert(all_high.end(), high.begin(), high.end());
      }
      add_t_test_row(tests, type, layer_comparison, "all ROIs", all_low, all_high);
      if (roi_order.size() >= 2) {
        std::vector<double> first, last;
        for (const auto& m : measurements) {
          if (m.test != type || m.roi != roi_order.front()) continue;
          for (const auto& other : measurements) {
            if (other.test == type && other.roi == roi_order.back() && other.subject == m.subject && other.presentation == m.presentation) {
              first.push_back(m.high);
              last.push_back(other.high);
            }
          }
        }
        add_t_test_row(tests, type, "layers " + join_numbers(high_layers, 1) + " share: " + roi_order.front() + " vs " + roi_order.back(),
                       "subjects x presentations", first, last);
      }
    }
  }
  const auto tests_path = std::filesystem::path(options.out) / "encoding_best_layer_tests.tsv";
  fmri::write_tsv(tests, tests_path);
  context.finished_output(tests_path);
}

}  // namespace

Command encoding_fit_command() {
  return make_command<EncodingFitOptions>(
      {"encoding", "fit", "voxel-encoding models: CNN layer -> ROI vertices, trained on RE, tested on AN and AI",
       "The core study's forward encoding (figure 6, supplementary figure S1). For every ROI (its most reliable\n"
       "vertices, selected as 'rsa select') and every CNN layer: one sparse linear model per vertex,\n"
       "y = X w with X = RE images x (layer units + a constant column), fitted by ROMP (Needell & Vershynin\n"
       "2009; OMP as an option) with the sparsity chosen per vertex by leave-one-out cross-validation on the RE\n"
       "images (or fixed). The models predict the responses to the AN and AI images from their activations;\n"
       "accuracy = Pearson r between measured and predicted responses over vertices and images, with an\n"
       "image-label permutation p, a 95% interval from 80% vertex subsamples, and the one-sided subsample test\n"
       "of AI - AN. Fitted on the responses averaged over presentations ('mean') and on each presentation.\n"
       "The best layer per vertex (highest r over the test images), the proportion of vertices per layer and\n"
       "ROI, and the paired t-tests of the low-level against the high-level layers and of the first ROI\n"
       "against the last. Prints the accuracy table."},
      declare, run);
}

}  // namespace visalign::apps
