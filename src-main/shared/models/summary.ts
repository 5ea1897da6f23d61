import type { InputShape, LayerSpec } from './layer-spec';
import { nameLayers } from './layer-names';
import type { FieldSuggestion } from '../refusal';

/**
 * Shapes, parameters and multiply-accumulates of a layer list, by arithmetic
 * alone (no tfjs), so the CLI and GUI can show a 138M-parameter VGG-16 without
 * allocating it, and refuse an input size before any training starts.
 */

export interface LayerSummary {
  name: string;
  kind: LayerSpec['kind'];
  /** `[height, width, channels]` while the data is a feature map, `[units]` after flatten. */
  outputShape: number[];
  params: number;
  /** Multiply-accumulates for one example (bias adds and pooling comparisons not counted, the usual convention). */
  macs: number;
}

export interface NetworkSummary {
  name: string;
  inputShape: InputShape;
  batchSize: number;
  layers: LayerSummary[];
  totalParams: number;
  /** Per example. */
  totalMacs: number;
  /**
   * float32 values of one example's layer outputs: every layer's output except
   * flatten's, which is a reshape of its input and takes no new memory. The input
   * batch, gradients and optimizer state are not included. Training keeps these
   * outputs alive for the backward pass, so this is a floor for one training step.
   */
  activationsPerExample: number;
  /** `activationsPerExample × batchSize × 4` bytes (float32). */
  activationBytes: number;
  /** `totalParams × 4` bytes (float32). */
  parameterBytes: number;
}

/** Thrown when the input is too small for the network's pools and strides; says what size works. */
export class InputTooSmallError extends Error {
  /** What would work, for each front end to word: an image side of at least `minimumSide`. */
  get suggestions(): FieldSuggestion[] {
    return [{ field: 'resize', min: this.minimumSide }];
  }

  constructor(
    message: string,
    readonly network: string,
    readonly inputShape: InputShape,
    readonly minimumSide: number,
    /** The layer after which the feature map is empty. */
    readonly layerName: string,
  ) {
    super(message);
    this.name = 'InputTooSmallError';
  }
}

const FLOAT32_BYTES = 4;
/** Searching beyond this is pointless: no image in this workbench is larger. */
const LARGEST_SIDE_SEARCHED = 4096;

type Shape = { spatial: true; h: number; w: number; c: number } | { spatial: false; units: number };

interface Traced {
  rows: LayerSummary[];
  /** The first layer whose output has a side below 1, if any. */
  emptyAt?: { index: number; h: number; w: number };
}

function checkPositiveInts(spec: LayerSpec, name: string, fields: Record<string, number>): void {
  for (const [field, value] of Object.entries(fields)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`layer ${name} (${spec.kind}): ${field} must be a whole number of at least 1 (got ${value})`);
    }
  }
}

function spatialInput(input: Shape, spec: LayerSpec, name: string): { h: number; w: number; c: number } {
  if (!input.spatial) {
    throw new Error(`layer ${name} (${spec.kind}) needs a feature map but comes after flatten: move it before the flatten`);
  }
  return input;
}

/** Output side of a sliding window: 'same' pads to ceil(n / stride) (tfjs and Keras), 'valid' keeps only full windows. */
function slide(side: number, window: number, stride: number, padding: 'same' | 'valid'): number {
  if (padding === 'same') return Math.ceil(side / stride);
  return Math.max(0, Math.floor((side - window) / stride) + 1);
}

function shapeOf(shape: Shape): number[] {
  return shape.spatial ? [shape.h, shape.w, shape.c] : [shape.units];
}

/** Walks the layers, stopping at the first empty feature map. Throws for lists that cannot be built at any size. */
function trace(layers: readonly LayerSpec[], inputShape: InputShape): Traced {
  const names = nameLayers(layers);
  const [h0, w0, c0] = inputShape;
  let shape: Shape = { spatial: true, h: h0, w: w0, c: c0 };
  const rows: LayerSummary[] = [];

  for (const [index, spec] of layers.entries()) {
    const name = names[index] ?? spec.kind;
    let params = 0;
    let macs = 0;
    switch (spec.kind) {
      case 'conv': {
        checkPositiveInts(spec, name, { filters: spec.filters, kernel: spec.kernel, stride: spec.stride });
        const pad = spec.pad ?? 0;
        if (!Number.isInteger(pad) || pad < 0) throw new Error(`layer ${name} (conv): pad must be a whole number of at least 0 (got ${pad})`);
        const { h, w, c } = spatialInput(shape, spec, name);
        const outH = slide(h + 2 * pad, spec.kernel, spec.stride, spec.padding);
        const outW = slide(w + 2 * pad, spec.kernel, spec.stride, spec.padding);
        const weightsPerFilter = spec.kernel * spec.kernel * c;
        params = weightsPerFilter * spec.filters + spec.filters;
        macs = outH * outW * spec.filters * weightsPerFilter;
        shape = { spatial: true, h: outH, w: outW, c: spec.filters };
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        checkPositiveInts(spec, name, { size: spec.size, stride: spec.stride });
        const { h, w, c } = spatialInput(shape, spec, name);
        // Pools are 'valid' (tfjs default, the book's MaxPool2D with no padding).
        shape = { spatial: true, h: slide(h, spec.size, spec.stride, 'valid'), w: slide(w, spec.size, spec.stride, 'valid'), c };
        break;
      }
      case 'flatten':
        shape = { spatial: false, units: shape.spatial ? shape.h * shape.w * shape.c : shape.units };
        break;
      case 'dense': {
        checkPositiveInts(spec, name, { units: spec.units });
        if (shape.spatial) {
          throw new Error(
            `layer ${name} (dense) gets a ${shape.h}×${shape.w}×${shape.c} feature map: put a flatten before it`,
          );
        }
        params = shape.units * spec.units + spec.units;
        macs = shape.units * spec.units;
        shape = { spatial: false, units: spec.units };
        break;
      }
      case 'dropout':
        if (!(spec.rate >= 0 && spec.rate < 1)) throw new Error(`layer ${name} (dropout): rate must be in [0, 1) (got ${spec.rate})`);
        break;
    }
    rows.push({ name, kind: spec.kind, outputShape: shapeOf(shape), params, macs });
    if (shape.spatial && (shape.h < 1 || shape.w < 1)) {
      return { rows, emptyAt: { index, h: shape.h, w: shape.w } };
    }
  }
  return { rows };
}

function checkInputShape(inputShape: InputShape): void {
  if (!inputShape.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new Error(`input shape must be three whole numbers of at least 1, height×width×channels (got ${inputShape.join('×')})`);
  }
}

/**
 * The smallest square side the network accepts: below it some pool or strided
 * conv leaves an empty feature map. Channels do not change the answer; they are
 * taken so the call reads like the input it describes.
 */
export function minimumInputSide(layers: readonly LayerSpec[], channels = 1): number {
  for (let side = 1; side <= LARGEST_SIDE_SEARCHED; side++) {
    if (trace(layers, [side, side, channels]).emptyAt === undefined) return side;
  }
  throw new Error(`no input side up to ${LARGEST_SIDE_SEARCHED} fits this network: it shrinks the image too often`);
}

/** Which layers shrink the side, in words: "5 max-pools halve the side 5 times". */
function describeShrinking(layers: readonly LayerSpec[]): string {
  const names = nameLayers(layers);
  const shrinking = layers
    .map((spec, i) => ({ spec, name: names[i] ?? spec.kind }))
    .filter(({ spec }) => {
      if (spec.kind === 'maxpool' || spec.kind === 'avgpool') return true;
      if (spec.kind === 'conv') return spec.stride > 1 || (spec.padding === 'valid' && spec.kernel > 1 + 2 * (spec.pad ?? 0));
      return false;
    });
  const halvingPools = shrinking.filter(({ spec }) => spec.kind === 'maxpool' && spec.size === 2 && spec.stride === 2);
  if (halvingPools.length === shrinking.length) {
    const n = halvingPools.length;
    return n === 1 ? '1 max-pool halves the side' : `${n} max-pools halve the side ${n} times`;
  }
  const parts = shrinking.map(({ spec, name }) => {
    if (spec.kind === 'conv') return `${name} ${spec.kernel}×${spec.kernel} conv stride ${spec.stride}`;
    if (spec.kind === 'maxpool' || spec.kind === 'avgpool') return `${name} ${spec.size}×${spec.size} pool stride ${spec.stride}`;
    return name;
  });
  return `${parts.join(', ')} shrink the side`;
}

export interface SummaryOptions {
  /** Used in tables and errors, e.g. "vgg11". */
  name?: string;
  /** For the activation memory line. */
  batchSize?: number;
}

/**
 * Per-layer output shape, parameters and MACs, with totals and memory.
 * Refuses, with the size that would work, an input that the pools shrink to nothing
 * (VGG's 5 pools on Fashion-MNIST's own 28×28).
 */
export function summarizeNetwork(layers: readonly LayerSpec[], inputShape: InputShape, options: SummaryOptions = {}): NetworkSummary {
  const { name = 'network', batchSize = 1 } = options;
  checkInputShape(inputShape);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a whole number of at least 1 (got ${batchSize})`);

  const traced = trace(layers, inputShape);
  if (traced.emptyAt !== undefined) {
    const minimum = minimumInputSide(layers, inputShape[2]);
    const layerName = traced.rows[traced.emptyAt.index]?.name ?? `layer ${traced.emptyAt.index + 1}`;
    const [h, w] = inputShape;
    throw new InputTooSmallError(
      `${name} needs images of at least ${minimum}×${minimum} (${describeShrinking(layers)}); ` +
        `${h}×${w} gives ${traced.emptyAt.h}×${traced.emptyAt.w} after ${layerName}.`,
      name,
      inputShape,
      minimum,
      layerName,
    );
  }

  const rows = traced.rows;
  const totalParams = rows.reduce((sum, r) => sum + r.params, 0);
  const totalMacs = rows.reduce((sum, r) => sum + r.macs, 0);
  const activationsPerExample = rows
    .filter((r) => r.kind !== 'flatten')
    .reduce((sum, r) => sum + r.outputShape.reduce((a, b) => a * b, 1), 0);
  return {
    name,
    inputShape,
    batchSize,
    layers: rows,
    totalParams,
    totalMacs,
    activationsPerExample,
    activationBytes: activationsPerExample * batchSize * FLOAT32_BYTES,
    parameterBytes: totalParams * FLOAT32_BYTES,
  };
}
