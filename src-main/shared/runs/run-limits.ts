import { NUM_CLASSES } from '../data/fashion-mnist-facts';
import { VGG_BLOCK_LIMITS } from '../models/layer-spec';

/**
 * How big a run's free-form parts may grow, wherever they come in: the API,
 * the CLI and an import file all refuse the same things, so an export always
 * imports again. Labels and notes are for people; none of these limits is
 * near what a person types, all keep one request's work small.
 */

/** A run's name, as the list and the charts' legends show it. */
export const RUN_NAME_MAX_LENGTH = 200;

/** Tags are labels, not documents. */
export const TAG_MAX_LENGTH = 100;

/** Tags on one run: more is a dump, not a label set, and each costs every run list. */
export const TAGS_PER_RUN_MAX = 50;

/** A run's notes: a few pages of text. */
export const NOTES_MAX_LENGTH = 10_000;

/** The confusion matrix is one row and column per Fashion-MNIST class. */
export const CONFUSION_CLASSES = NUM_CLASSES;

/**
 * The longest layer list a run's configuration can describe: every block at
 * its most convolutions plus its pool, and a head (flatten, dense, dropout)
 * with room to spare. An imported architecture longer than this describes no
 * network the workbench builds.
 */
export const ARCHITECTURE_MAX_LAYERS = VGG_BLOCK_LIMITS.blocks.max * (VGG_BLOCK_LIMITS.convs.max + 1) + 16;

/**
 * Metric points one `runs.export` may cover in all (every page together).
 * A full VGG run records a few tens of thousands; this is thousands of runs'
 * worth, and at ~100 bytes a point, a file of a few hundred MB.
 */
export const EXPORT_MAX_POINTS = 5_000_000;

/**
 * Points one reading of a run may carry (`runs.metrics`, a recorded run's
 * `runs.events`, `replay.open`): each is answered in one piece, and 100,000
 * points take a few hundred milliseconds to read, check and send. A full VGG
 * run on Fashion-MNIST records about 15,000; a larger one is exported in pages.
 */
export const REQUEST_MAX_POINTS = 100_000;

/**
 * Points per `runs.export` page: each page is one bounded request (tens of
 * milliseconds), so a large export never holds the service for long.
 */
export const EXPORT_PAGE_POINTS = 10_000;

/** A run's error text: enough for any stack a person reads; a longer one is cut, never stored whole. */
export const ERROR_MAX_LENGTH = 10_000;

/** The engine's detail line (the GPU it found, or why none): one sentence, not a document. */
export const ENGINE_DETAIL_MAX_LENGTH = 1_000;

/** A model's name, as config.model and the run list carry it (the import's limit since the first release). */
export const MODEL_NAME_MAX_LENGTH = 100;

/** A queue worker's name, and a host's: DNS names stop at 253 characters. */
export const WORKER_NAME_MAX_LENGTH = 255;

/** The latest time a JavaScript Date can show (ECMA-262 §21.4.1.1): later is no time, and prints "NaN-NaN-NaN". */
export const TIME_MAX_MS = 8.64e15;
