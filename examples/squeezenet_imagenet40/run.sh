#!/usr/bin/env bash
# The core study with a real CNN and real images: SqueezeNet 1.1 (ImageNet) on the 40 ImageNet images of the
# shared data (5 categories x 8, the study's design). The CNN half is real: the study makes the AN and AI images
# with SqueezeNet and runs the layer RSA on its activations. The brain half is simulated on fsaverage5's left
# hemisphere (its surfaces, its flat map and its V1, V2, MT and lateral-occipital labels; fsaverage5's right
# hemisphere has no MT or parcellation here): two subjects whose vertices mix a low-level and a perceptual
# representation of the 40 images (AI = its RE image, AN = noise) by ROI.
#
# Usage: examples/squeezenet_imagenet40/run.sh     (subjects/ and study-output/ are written beside it)
#   VISALIGN       the visalign program (default build/apps/visalign)
#   VISALIGN_DATA  the shared data for the subjects (default ../shared/data beside the checkout; study.json names it
#                  by its relative path: edit it for data elsewhere)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
visalign="${VISALIGN:-$root/build/apps/visalign}"
data="${VISALIGN_DATA:-$root/../shared/data}"
here="$(cd "$(dirname "$0")" && pwd)"
out="$here"
for needed in "$data/cnn/squeezenet1_1.pt" "$data/stimuli/imagenet40/stimuli.tsv" "$data/fsaverage5/surf/lh.white"; do
  [[ -e "$needed" ]] || { echo "$0: missing $needed (set VISALIGN_DATA)" >&2; exit 1; }
done

# The subjects: the 40 RE images name their designs (AN and AI are named as their RE image).
for subject in 1 2; do
  if [[ ! -f "$out/subjects/sub-0$subject/manifest.json" ]]; then
    "$visalign" fmri simulate --stimuli "$data/stimuli/imagenet40/stimuli.tsv" --anatomy "$data/fsaverage5" --hemispheres lh \
      --flat-patch 'gifti/{hemi}.flat.gii.gz' \
      --anatomy-roi 'V1=label/{hemi}.V1_exvivo.label' --anatomy-roi 'V2_atlas=label/{hemi}.V2_exvivo.label' \
      --anatomy-roi 'V2=expression:V2_atlas - V1' --anatomy-roi 'hMT=label/{hemi}.MT_exvivo.label' \
      --anatomy-roi 'LO_atlas=label/{hemi}.aparc.annot:lateraloccipital' --anatomy-roi 'LO=expression:LO_atlas - hMT' \
      --subject "sub-0$subject" --seed "$subject" -q --out "$out/subjects/sub-0$subject"
  fi
done

# The study of study.json beside this script (README: The study; its paths are relative to it and expect the shared
# data at ../shared/data beside the checkout): outputs in study-output/ beside it.
"$visalign" study "$here/study.json"
