// Normalised acquisition metadata from a DM image's ImageTags, following the tag paths RosettaSciIO
// maps (rsciio/digitalmicrograph/_api.py, ImageObject.get_mapping), with lowdose's key names.
import { Metadata } from '../../types/dataset';
import { DmTagGroup, DmValue, dmGet, isGroup } from './dmTagTree';

/** Kind of spectrum a DM image holds, from `ImageTags.Meta Data.Signal`. */
export type DmSpectrumType = 'EELS' | 'EDS' | 'CL' | '';

/** The spectrum type RosettaSciIO infers from a DM image's tags. */
export function dmSpectrumType(imageTags: DmTagGroup | undefined): DmSpectrumType {
  const signal = dmGet(imageTags, 'Meta Data', 'Signal');
  if (signal === 'X-ray') return 'EDS';
  if (signal === 'CL' || dmGet(imageTags, 'Acquisition', 'Monarc Spectrometer') !== undefined) return 'CL';
  if (signal === 'EELS' || dmGet(imageTags, 'spim', 'eels') !== undefined) return 'EELS';
  return '';
}

/** 'TEM', 'STEM' or 'SEM' from DM's Illumination Mode ('STEM NANOPROBE', 'TEM', …). */
function modeOf(illumination: string): 'TEM' | 'STEM' | 'SEM' {
  if (illumination.includes('STEM')) return 'STEM';
  if (illumination.includes('SEM')) return 'SEM';
  return 'TEM';
}

function num(v: DmValue | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(v: DmValue | undefined): string | undefined {
  return typeof v === 'string' && v.trim() !== '' && v !== '[]' ? v.trim() : undefined;
}

/**
 * Normalised metadata of one DM image: voltageKV, magnification, cameraLengthMm, exposureS,
 * dwellTimeS, detector, microscope, acquisitionDate (ISO 8601), plus DM-specific extras
 * (illuminationMode, stage position, EELS/EDS settings). Only keys the file records are set.
 */
export function dmNormalisedMetadata(image: DmTagGroup): Metadata {
  const md: Metadata = {};
  let tags = dmGet(image, 'ImageTags');
  // Stacks built with DM's stack builder keep the acquisition tags of their source.
  const fromSource = dmGet(tags as DmTagGroup, 'source', 'Tags at creation');
  if (isGroup(fromSource)) tags = fromSource;
  if (!isGroup(tags)) return md;
  const t = (...p: string[]) => dmGet(tags as DmTagGroup, ...p);
  const imageTags = dmGet(image, 'ImageTags') as DmTagGroup;

  const illumination = str(t('Microscope Info', 'Illumination Mode'));
  const imagingMode = str(t('Microscope Info', 'Imaging Mode'));
  if (illumination !== undefined) md.illuminationMode = modeOf(illumination);

  const voltage = num(t('Microscope Info', 'Voltage'));
  if (voltage !== undefined) md.voltageKV = voltage / 1000;

  if (isGroup(t('Microscope Info'))) {
    const indicated = num(t('Microscope Info', 'Indicated Magnification'));
    if (illumination === 'TEM') {
      // In TEM diffraction DM records the camera length (mm) as the indicated magnification.
      if (imagingMode === 'DIFFRACTION') {
        if (indicated !== undefined) md.cameraLengthMm = indicated;
      } else if (indicated !== undefined) md.magnification = indicated;
    } else {
      const stemCl = num(t('Microscope Info', 'STEM Camera Length'));
      if (stemCl !== undefined) md.cameraLengthMm = stemCl;
      if (indicated !== undefined) md.magnification = indicated;
    }
    const actual = num(t('Microscope Info', 'Actual Magnification'));
    if (actual !== undefined) md.actualMagnification = actual;
    const microscope =
      str(t('Session Info', 'Microscope')) ?? str(t('Microscope Info', 'Name')) ?? str(t('Microscope Info', 'Microscope'));
    if (microscope !== undefined) md.microscope = microscope;
  }
  const stage: [string, string, number][] = [
    ['Stage Alpha', 'stageAlphaDeg', 1],
    ['Stage Beta', 'stageBetaDeg', 1],
    // DM records the stage position in µm; HyperSpy (and lowdose) report mm.
    ['Stage X', 'stageXMm', 1e-3],
    ['Stage Y', 'stageYMm', 1e-3],
    ['Stage Z', 'stageZMm', 1e-3]
  ];
  for (const [tag, key, factor] of stage) {
    const v = num(t('Microscope Info', 'Stage Position', tag));
    if (v !== undefined) md[key] = v * factor;
  }
  const probeCurrent = num(t('Microscope Info', 'Probe Current (nA)'));
  if (probeCurrent) md.probeCurrentNA = probeCurrent;
  const operator = str(t('Session Info', 'Operator'));
  if (operator !== undefined) md.operator = operator;
  const specimen = str(t('Session Info', 'Specimen'));
  if (specimen !== undefined) md.specimen = specimen;

  const detector =
    str(t('Acquisition', 'Device', 'Name')) ?? str(t('DataBar', 'Device Name')) ?? str(t('Session Info', 'Detector'));
  if (detector !== undefined) md.detector = detector;

  let date = str(t('DataBar', 'Acquisition Date'));
  let time = str(t('DataBar', 'Acquisition Time'));
  const override = (d: DmValue | undefined, tm: DmValue | undefined) => {
    if (str(d) !== undefined) date = str(d);
    if (str(tm) !== undefined) time = str(tm);
  };
  if (isGroup(dmGet(imageTags, 'SI'))) override(t('SI', 'Acquisition', 'Date'), t('SI', 'Acquisition', 'Start time'));

  const isScanning = isGroup(t('DigiScan'));
  const spectrum = dmSpectrumType(imageTags);
  if (spectrum) md.spectrumType = spectrum;
  if (spectrum === 'EELS') {
    override(t('EELS', 'Acquisition', 'Date'), t('EELS', 'Acquisition', 'Start time'));
    const acq = t('EELS', 'Acquisition');
    let exposure: number | undefined;
    if (isGroup(acq)) {
      const integration = num(acq['Integration time (s)']);
      const perFrame = num(acq['Exposure (s)']);
      const frames = num(acq['Number of frames']);
      if (integration !== undefined) exposure = integration;
      else if (perFrame !== undefined) exposure = perFrame * (frames ?? 1);
      if (frames !== undefined) md.eelsFrames = frames;
    }
    const isSpectrumImage = str(t('Meta Data', 'Format')) === 'Spectrum image' || isGroup(t('SI'));
    if (exposure !== undefined) md[isScanning || isSpectrumImage ? 'dwellTimeS' : 'exposureS'] = exposure;
    const collection = num(t('EELS', 'Experimental Conditions', 'Collection semi-angle (mrad)'));
    if (collection !== undefined) md.collectionAngleMrad = collection;
    const convergence = num(t('EELS', 'Experimental Conditions', 'Convergence semi-angle (mrad)'));
    if (convergence !== undefined) md.convergenceAngleMrad = convergence;
    const spectrometer = str(t('EELS Spectrometer', 'Instrument name'));
    if (spectrometer !== undefined) md.spectrometer = spectrometer;
    const aperture = str(t('EELS Spectrometer', 'Aperture label'));
    if (aperture !== undefined && Number.isFinite(parseFloat(aperture))) md.apertureMm = parseFloat(aperture);
  } else if (spectrum === 'EDS') {
    override(t('EDS', 'Acquisition', 'Date'), t('EDS', 'Acquisition', 'Start time'));
    const live = num(t('EDS', 'Live time'));
    const real = num(t('EDS', 'Real time'));
    if (live !== undefined) md.liveTimeS = live;
    if (real !== undefined) md.realTimeS = md.exposureS = real;
    const azimuth = num(t('EDS', 'Detector Info', 'Azimuthal angle'));
    if (azimuth !== undefined) md.azimuthAngleDeg = azimuth;
    const elevation = num(t('EDS', 'Detector Info', 'Elevation angle'));
    if (elevation !== undefined) md.elevationAngleDeg = elevation;
  } else if (isScanning) {
    const sample = num(t('DigiScan', 'Sample Time'));
    if (sample !== undefined) md.dwellTimeS = sample / 1e6; // DigiScan records µs
  }
  if (md.exposureS === undefined && md.dwellTimeS === undefined && !isScanning) {
    const exposure = num(t('Acquisition', 'Parameters', 'Detector', 'exposure (s)')) ??
      num(t('Acquisition', 'Parameters', 'High Level', 'Exposure (s)')) ?? num(t('DataBar', 'Exposure Time (s)'));
    if (exposure !== undefined) md.exposureS = exposure;
  }

  const iso = dmDateTime(date, time);
  if (iso !== undefined) md.acquisitionDate = iso;
  const brightness = str(dmGet(image, 'ImageData', 'Calibrations', 'Brightness', 'Units'));
  if (brightness !== undefined) md.signalUnits = brightness === 'e-' ? 'e-' : brightness;
  return md;
}

/**
 * ISO 8601 date-time from DM's locale-formatted DataBar strings: dates '7/9/2014' (month first, as
 * dateutil reads them), '27/08/2016' (day first when the first number exceeds 12), '8.8.2016' (day
 * first), '2016-08-27'; times '6:56:37 PM' or '20:52:30'. Undefined when the date cannot be read.
 */
export function dmDateTime(date: string | undefined, time: string | undefined): string | undefined {
  if (date === undefined) return undefined;
  let y: number, m: number, d: number;
  let g: RegExpMatchArray | null;
  if ((g = date.match(/^(\d{4})-(\d{1,2})-(\d{1,2})/))) {
    [y, m, d] = [+g[1], +g[2], +g[3]];
  } else if ((g = date.match(/^(\d{1,2})\.(\d{1,2})\.(\d{2,4})$/))) {
    [d, m, y] = [+g[1], +g[2], +g[3]];
  } else if ((g = date.match(/^(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})$/))) {
    const [a, b] = [+g[1], +g[2]];
    y = +g[3];
    [m, d] = a > 12 ? [b, a] : [a, b];
  } else {
    return undefined;
  }
  if (y < 100) y += 2000;
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= 31)) return undefined;
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${y}-${pad(m)}-${pad(d)}`;
  const tm = time?.match(/^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$/);
  if (!tm) return day;
  let h = +tm[1];
  const ampm = tm[4]?.toUpperCase();
  if (ampm === 'PM' && h < 12) h += 12;
  if (ampm === 'AM' && h === 12) h = 0;
  if (h > 23) return day;
  return `${day}T${pad(h)}:${tm[2]}:${tm[3] ?? '00'}`;
}
