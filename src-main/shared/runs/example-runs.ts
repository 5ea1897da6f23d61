/** The tag every shipped example run carries: how the app tells them from the user's own runs. */
export const EXAMPLE_RUN_TAG = 'example';
