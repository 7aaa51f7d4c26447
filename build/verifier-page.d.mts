/** Types of build/verifier-page.mjs for the tests that build the page. */
export declare function buildVerifierPage(root: string, outFile: string): Promise<string>;
