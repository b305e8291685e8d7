#pragma once
// Every subcommand of `visalign`, one factory per command file.

#include "apps/command.hpp"

namespace visalign::apps {

Command surface_info_command();
Command surface_geodesic_command();
Command surface_neighborhoods_command();
Command surface_convert_command();
Command surface_icosphere_command();
Command fmri_info_command();
Command fmri_roi_command();
Command fmri_simulate_command();
Command rsa_select_command();
Command rsa_roi_command();
Command rsa_layers_command();
Command rsa_searchlight_command();
Command encoding_fit_command();
Command encoding_predictivity_command();
Command encoding_eigenspectrum_command();

}  // namespace visalign::apps
