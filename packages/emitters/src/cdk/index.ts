// Public API of @meridian/emitters/cdk: in-process synthesis from the model. Needs aws-cdk-lib, constructs and
// cdk-nag installed beside it (optional peer dependencies: only this entry uses them).
export { addModelStacks } from './in-process.ts';
