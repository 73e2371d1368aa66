/** A response body as JSON, for assertions (Node types it `unknown`). */
// biome-ignore lint: tests assert on shapes
export const json = async (res: Response): Promise<any> => res.json();
