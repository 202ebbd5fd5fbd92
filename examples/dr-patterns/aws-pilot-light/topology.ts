import { awsStandby } from '../aws-standby.ts';

// Pilot light: the data is replicated and the recovery region's application tier is at zero until failover
// (AWS: "RPO/RTO: 10s of minutes"). The rto budget adds starting it from zero (startSeconds not stated: 1200 s).
export default awsStandby('aws-pilot-light', { posture: 'pilot-light', failover: 'automatic' }, 0, {
  rto: 3600,
  rpo: 600,
});
