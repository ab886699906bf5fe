/** Four or more digits, possibly split by single spaces, dots or dashes ("4111 1111 1111 1111", "0161-496-0000"). */
const DIGIT_RUN = /\d(?:[ .-]?\d){3,}/g;

/** Card, account and phone numbers never reach the record: every digit of a run of four or more becomes '#'. */
export const maskDigits = (text: string): string => text.replace(DIGIT_RUN, (run) => run.replace(/\d/g, '#'));
