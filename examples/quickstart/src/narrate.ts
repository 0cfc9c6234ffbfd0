// Console narration for the demo: numbered steps, indented facts, no stack traces.
const useColor = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const paint = (code: string, text: string): string =>
  useColor ? `\u001b[${code}m${text}\u001b[0m` : text;

let stepNumber = 0;

export function step(title: string): void {
  stepNumber++;
  console.log(`\n${paint('1', `${stepNumber}. ${title}`)}`);
}

export function fact(text: string): void {
  console.log(`   ${text}`);
}

export function ok(text: string): void {
  console.log(`   ${paint('32', '✔')} ${text}`);
}

export function refused(text: string): void {
  console.log(`   ${paint('33', '✘')} ${text}`);
}
