// The jStat functions the tests (an oracle for the distributions) and the benchmark (the analysis peer) call; jstat
// ships no types. A dev dependency only since crosschannel computes its distributions itself (src/core/special.ts).
declare module 'jstat' {
  interface JStat {
    normal: { cdf(x: number, mean: number, sd: number): number; inv(p: number, mean: number, sd: number): number; pdf(x: number, mean: number, sd: number): number };
    studentt: { cdf(x: number, dof: number): number; inv(p: number, dof: number): number };
    chisquare: { cdf(x: number, dof: number): number };
    // Descriptive statistics, used by the benchmark's peer only.
    mean(values: number[]): number;
    variance(values: number[], sample?: boolean): number;
    covariance(a: number[], b: number[]): number;
  }
  const jStat: JStat;
  export default jStat;
}
