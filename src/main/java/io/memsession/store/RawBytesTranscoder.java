package io.memsession.store;

import net.rubyeye.xmemcached.transcoders.CachedData;
import net.rubyeye.xmemcached.transcoders.CompressionMode;
import net.rubyeye.xmemcached.transcoders.Transcoder;

/**
 * Passes session documents to memcached exactly as given.
 *
 * <p>Xmemcached's default transcoder would Java-deserialize whatever it finds under a key, which
 * turns write access to memcached into code execution on every node. This one never interprets
 * the bytes and never compresses them: the layer above owns the format.
 */
final class RawBytesTranscoder implements Transcoder<byte[]> {

    private static final int FLAGS = 0;

    @Override
    public CachedData encode(byte[] document) {
        return new CachedData(FLAGS, document);
    }

    @Override
    public byte[] decode(CachedData data) {
        return data.getData();
    }

    @Override
    public void setPrimitiveAsString(boolean primitiveAsString) {
        // meaningless for raw bytes
    }

    @Override
    public void setPackZeros(boolean packZeros) {
        // meaningless for raw bytes
    }

    @Override
    public void setCompressionThreshold(int threshold) {
        // documents are never compressed here
    }

    @Override
    public boolean isPrimitiveAsString() {
        return false;
    }

    @Override
    public boolean isPackZeros() {
        return false;
    }

    @Override
    public void setCompressionMode(CompressionMode mode) {
        // documents are never compressed here
    }
}
