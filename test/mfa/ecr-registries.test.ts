import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ecrRegions, registryFor, wantsEcr } from '../../src/mfa/ecr-registries.js';

const Registries = suite('mfa/ecr-registries: which registries --ecr and --ecr-region mean');

Registries('the profile region comes first, else the STS region, then each --ecr-region once', () => {
  const options = { ecr: true, ecrRegion: ['us-west-2', 'eu-west-1', 'us-west-2'], dockerCommand: undefined };
  assert.equal(ecrRegions(options, { profileRegion: 'eu-west-1', stsRegion: 'us-east-1' }), ['eu-west-1', 'us-west-2']);
  assert.equal(ecrRegions(options, { profileRegion: undefined, stsRegion: 'us-east-1' }), ['us-east-1', 'us-west-2', 'eu-west-1']);
});

Registries('--ecr or any --ecr-region asks for ECR; --docker-command alone does not', () => {
  assert.ok(wantsEcr({ ecr: true, ecrRegion: undefined, dockerCommand: undefined }));
  assert.ok(wantsEcr({ ecr: false, ecrRegion: ['us-east-1'], dockerCommand: undefined }));
  assert.not.ok(wantsEcr({ ecr: false, ecrRegion: undefined, dockerCommand: 'podman' }));
});

Registries('registry hosts are named as ECR names them, China with its own domain', () => {
  assert.is(registryFor('123456789012', 'eu-west-1'), 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com');
  assert.is(registryFor('123456789012', 'cn-north-1'), 'https://123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn');
});

Registries.run();
