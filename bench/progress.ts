/** Where a bench phase reports what it is doing, one line at a time. */
export type Progress = (line: string) => void;
