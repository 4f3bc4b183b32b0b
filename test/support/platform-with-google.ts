/** A test platform whose GA forwarder talks to a fake Google on loopback. */
import { startFakeGoogle, type FakeGoogle } from "./fake-google";
import { startTestPlatform, type TestPlatform } from "./platform";

export interface PlatformWithGoogle {
  google: FakeGoogle;
  platform: TestPlatform;
  dispose(): Promise<void>;
}

export async function startPlatformWithGoogle(): Promise<PlatformWithGoogle> {
  const google = await startFakeGoogle();
  const platform = await startTestPlatform({ settings: { gaEndpoint: google.endpoint } });
  return {
    google,
    platform,
    async dispose() {
      await platform.dispose();
      await google.stop();
    },
  };
}
