// A page draws itself into the main element and may return what stops its live work (a
// subscription) when the reader navigates away.
export type Page = (root: HTMLElement) => (() => void) | void;
